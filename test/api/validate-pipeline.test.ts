import { describe, expect, it } from 'vitest';
import { validatePipeline } from '../../src/api/index.ts';
import { job, pipeline } from '../helpers/objects.ts';

const messages = (obj: unknown) => validatePipeline(obj).map((e) => `${e.path}: ${e.message}`);

describe('validatePipeline', () => {
  it('accepts a valid pipeline', () => {
    const p = pipeline({
      params: [{ name: 'version', default: 'dev' }],
      jobs: [
        job('build', { results: [{ name: 'digest' }] }, 'echo $(KAYCI_PARAM_VERSION) $(KAYCI_BRANCH)'),
        job('test', { needs: ['build'], when: { status: 'always', branches: ['main'] } }, 'echo $(KAYCI_RESULT_BUILD_DIGEST) $$(not-a-ref)'),
      ],
      retention: { succeeded: 3 },
      concurrency: { group: 'g', max: 2 },
      workspace: { size: '1Gi' },
    });
    expect(messages(p)).toEqual([]);
  });

  // Each row: a broken pipeline and the errors it must produce (paths and a recognisable part).
  const cases: [string, unknown, [string, RegExp][]][] = [
    ['not an object', 'nope', [['', /expected a Pipeline object/]]],
    ['wrong apiVersion and kind', { ...pipeline({ jobs: [job('a')] }), apiVersion: 'v1', kind: 'Job' }, [['apiVersion', /must be "kayci.dev\/v1alpha1"/], ['kind', /must be "Pipeline"/]]],
    ['missing name', { ...pipeline({ jobs: [job('a')] }), metadata: {} }, [['metadata.name', /Required/]]],
    ['bad name', pipeline({ jobs: [job('a')] }, 'My_Pipeline'), [['metadata.name', /not a DNS label.*"my-pipeline"/]]],
    ['no jobs', pipeline({ jobs: [] }), [['spec.jobs', /at least 1/]]],
    ['unknown field', pipeline({ jobs: [{ ...job('a'), retry: 2 } as never] }), [['spec.jobs[0].retry', /unknown field/]]],
    ['wrong type', pipeline({ jobs: [job('a', { retries: 'two' as never })] }), [['spec.jobs[0].retries', /must be of type integer/]]],
    ['out of range', pipeline({ jobs: [job('a', { retries: 11 })] }), [['spec.jobs[0].retries', /less than or equal to 10/]]],
    ['bad enum', pipeline({ jobs: [job('a', { when: { status: 'sometimes' as never } })] }), [['spec.jobs[0].when.status', /supported values: "success", "failure", "always"/]]],
    ['bad job name', pipeline({ jobs: [job('Build_Step')] }), [['spec.jobs[0].name', /DNS label.*"build-step"/]]],
    ['duplicate jobs', pipeline({ jobs: [job('a'), job('a')] }), [['spec.jobs[1].name', /Duplicate value: name "a" is already used by spec.jobs\[0\]/]]],
    ['unknown need with a hint', pipeline({ jobs: [job('build'), job('test', { needs: ['biuld'] })] }), [['spec.jobs[1].needs[0]', /no job named "biuld"; did you mean "build"\?/]]],
    ['self need', pipeline({ jobs: [job('a', { needs: ['a'] })] }), [['spec.jobs[0].needs[0]', /needs itself/]]],
    ['repeated need', pipeline({ jobs: [job('a'), job('b', { needs: ['a', 'a'] })] }), [['spec.jobs[1].needs[1]', /already needed/]]],
    ['cycle', pipeline({ jobs: [job('a', { needs: ['c'] }), job('b', { needs: ['a'] }), job('c', { needs: ['b'] })] }), [['spec.jobs[0].needs', /cycle a → c → b → a/]]],
    ['param variable collision', pipeline({ params: [{ name: 'a-b' }, { name: 'a_b' }], jobs: [job('x')] }), [['spec.params[1].name', /both become KAYCI_PARAM_A_B/]]],
    ['result variable collision', pipeline({ jobs: [job('a-b', { results: [{ name: 'c' }] }), job('a', { results: [{ name: 'b-c' }] })] }), [['spec.jobs[1].results[0].name', /both become KAYCI_RESULT_A_B_C/]]],
    ['unknown parameter', pipeline({ jobs: [job('a', {}, 'echo $(KAYCI_PARAM_NOPE)')] }), [['spec.jobs[0].template.template.spec.containers[0].command[2]', /KAYCI_PARAM_NOPE\) refers to no parameter/]]],
    ['undeclared result', pipeline({ jobs: [job('a'), job('b', { needs: ['a'] }, 'echo $(KAYCI_RESULT_A_OUT)')] }), [['spec.jobs[1].template.template.spec.containers[0].command[2]', /job "a" declares no such result/]]],
    ['result of a job not needed', pipeline({ jobs: [job('a', { results: [{ name: 'out' }] }), job('b', {}, 'echo $(KAYCI_RESULT_A_OUT)')] }), [['spec.jobs[1].template.template.spec.containers[0].command[2]', /which this job does not need; add it to needs/]]],
    ['unknown kayci variable', pipeline({ jobs: [job('a', {}, 'echo $(KAYCI_SHA)')] }), [['spec.jobs[0].template.template.spec.containers[0].command[2]', /not a kayci variable/]]],
    ['restartPolicy OnFailure', pipeline({ jobs: [{ name: 'a', template: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'a', image: 'x' }] } } } }] }), [['spec.jobs[0].template.template.spec.restartPolicy', /kayci Jobs use restartPolicy Never/]]],
    ['Kubernetes schema: container without name', pipeline({ jobs: [{ name: 'a', template: { template: { spec: { containers: [{ image: 'x' } as never] } } } }] }), [['spec.jobs[0].template.template.spec.containers[0].name', /Required value/]]],
    ['Kubernetes schema: bad enum', pipeline({ jobs: [{ name: 'a', template: { template: { spec: { containers: [{ name: 'a', image: 'x', imagePullPolicy: 'Sometimes' as never }] } } } }] }), [['spec.jobs[0].template.template.spec.containers[0].imagePullPolicy', /supported values/]]],
    ['no containers', pipeline({ jobs: [{ name: 'a', template: { template: { spec: { containers: [] } } } }] }), [['spec.jobs[0].template.template.spec.containers', /at least one container/]]],
    ['fields kayci owns', pipeline({ jobs: [{ ...job('a'), template: { ...job('a').template, backoffLimit: 3, activeDeadlineSeconds: 5 } }] }), [['spec.jobs[0].template.backoffLimit', /set the job's `retries` instead/], ['spec.jobs[0].template.activeDeadlineSeconds', /`timeoutSeconds`/]]],
    ['reserved label', pipeline({ jobs: [{ name: 'a', template: { template: { metadata: { labels: { 'kayci.dev/run': 'x' } }, spec: { containers: [{ name: 'a', image: 'x' }] } } } }] }), [['spec.jobs[0].template.template.metadata.labels[kayci.dev/run]', /prefix is kayci's own/]]],
    ['KAYCI_ env and duplicate env', pipeline({ jobs: [{ name: 'a', template: { template: { spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'KAYCI_RUN', value: 'x' }, { name: 'A', value: '1' }, { name: 'A', value: '2' }] }] } } } }] }), [['spec.jobs[0].template.template.spec.containers[0].env[0].name', /set by kayci/], ['spec.jobs[0].template.template.spec.containers[0].env[2].name', /Duplicate value: "A"/]]],
    ['duplicate container names', pipeline({ jobs: [{ name: 'a', template: { template: { spec: { initContainers: [{ name: 'x', image: 'i' }], containers: [{ name: 'x', image: 'i' }] } } } }] }), [['spec.jobs[0].template.template.spec.containers[0].name', /Duplicate value: "x"/]]],
    ['notify name clashes with a job', pipeline({ jobs: [job('a')], notify: [{ name: 'a', on: ['Failed'], template: job('a').template }] }), [['spec.notify[0].name', /also a job name/]]],
  ];

  it.each(cases)('%s', (_name, obj, expected) => {
    const errors = validatePipeline(obj);
    for (const [path, pattern] of expected) {
      expect(errors.filter((e) => e.path === path).map((e) => e.message), `${path} in ${JSON.stringify(errors, null, 1)}`).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
    }
  });

  it('reports every error at once, not the first', () => {
    const p = pipeline({ jobs: [job('Bad'), job('a', { needs: ['zzz'] }), job('a'), job('b', { retries: -1 })] });
    const paths = validatePipeline(p).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['spec.jobs[0].name', 'spec.jobs[1].needs[0]', 'spec.jobs[2].name', 'spec.jobs[3].retries']));
  });

  it('never throws, whatever the input', () => {
    const junk = [null, 42, [], { spec: null }, { spec: { jobs: 'x' } }, { spec: { jobs: [null, 1, { name: 3, needs: 'a', template: [] }] } }, pipeline({ jobs: [{ name: 'a', needs: [null, 3], template: { template: { spec: { containers: [null, { env: 'x' }] } } } } as never] })];
    for (const j of junk) expect(() => validatePipeline(j)).not.toThrow();
  });

  it('rejects objects over the API server size limit', () => {
    const big = 'x'.repeat(4096);
    const jobs = Array.from({ length: 400 }, (_, i) => job(`j${i}`, { results: [{ name: 'r', description: big }] }));
    expect(messages(pipeline({ jobs }))).toEqual(expect.arrayContaining([expect.stringMatching(/Too large: \d+ bytes/)]));
  });
});
