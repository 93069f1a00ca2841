import { describe, expect, it } from 'vitest';
import { validateRun } from '../../src/api/index.ts';
import type { PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';
import type { RunMetadata, RunSpec, RunStatus } from '../../src/api/v1alpha1/run.ts';
import { job } from '../helpers/objects.ts';

function run(spec: unknown, status?: unknown, name = 'demo-7f3k2') {
  return { apiVersion: 'kayci.dev/v1alpha1', kind: 'Run', metadata: { name }, spec, ...(status === undefined ? {} : { status }) };
}

const messages = (obj: unknown) => validateRun(obj).map((e) => `${e.path}: ${e.message}`);

const snapshot: PipelineSpec = {
  params: [
    { name: 'version', default: 'dev', description: 'what to call the build' },
    { name: 'target' },
    { name: 'flags', default: '' },
  ],
  jobs: [
    job('build', { results: [{ name: 'digest' }] }, 'make $(KAYCI_PARAM_TARGET) VERSION=$(KAYCI_PARAM_VERSION)'),
    job('test', { needs: ['build'] }, 'echo $(KAYCI_RESULT_BUILD_DIGEST)'),
    job('publish', { needs: ['test'], when: { branches: ['main'] } }),
  ],
};

const ref = { name: 'demo' };
const metadata: RunMetadata = {
  trigger: 'demo-push',
  provider: 'github',
  event: 'push',
  repoUrl: 'https://github.com/acme/service.git',
  repo: 'acme/service',
  commitSha: '3f786850e387550fdab836ed7e6dc881de23001b',
  ref: 'refs/heads/main',
  branch: 'main',
  actor: 'octocat',
  changedFiles: ['src/main.go', 'go.mod'],
};

const status: RunStatus = {
  phase: 'Running',
  observedGeneration: 1,
  startTime: '2026-11-21T08:25:00Z',
  reason: 'JobsRunning',
  message: '1 of 3 jobs finished',
  jobs: [
    { name: 'build', phase: 'Succeeded', attempts: 1, jobName: 'demo-7f3k2-build', startTime: '2026-11-21T08:25:00Z', completionTime: '2026-11-21T08:27:13.5+01:00', results: { digest: 'sha256:abc' } },
    { name: 'test', phase: 'Running', attempts: 2, jobName: 'demo-7f3k2-test', reason: 'Retrying' },
  ],
  conditions: [{ type: 'Ready', status: 'True', reason: 'Started', lastTransitionTime: '2026-11-21T08:25:00Z', observedGeneration: 1 }],
};

describe('validateRun', () => {
  const valid: [string, RunSpec, RunStatus?][] = [
    ['without a snapshot (the controller copies it later)', { pipelineRef: ref, metadata, params: [{ name: 'anything', value: 'x' }], jobs: ['whatever'], cancel: false }],
    ['with a snapshot and every required parameter', { pipelineRef: ref, pipelineSpec: snapshot, metadata, params: [{ name: 'target', value: 'linux' }] }],
    ['with a snapshot, overriding a default and selecting jobs', { pipelineRef: ref, pipelineSpec: snapshot, params: [{ name: 'target', value: 'linux' }, { name: 'version', value: '1.2.3' }], jobs: ['test', 'publish'] }],
    ['a pull request', { pipelineRef: ref, metadata: { provider: 'gitlab', event: 'pull_request', commitSha: 'abcdef0', prNumber: '42', prBaseRef: 'main', branch: 'feature/x' } }],
    ['manual, no metadata beyond the provider', { pipelineRef: ref, metadata: { provider: 'manual' }, cancel: true }],
    ['with a status as the controller writes it', { pipelineRef: ref, pipelineSpec: snapshot, params: [{ name: 'target', value: 'linux' }] }, status],
    ['with a final status', { pipelineRef: ref }, { phase: 'Failed', completionTime: '2026-11-21T09:00:00Z', jobs: [{ name: 'build', phase: 'Failed', reason: 'BackoffLimitExceeded' }, { name: 'test', phase: 'Skipped', reason: 'NeedsFailed' }] }],
  ];

  it.each(valid)('accepts: %s', (_name, spec, st) => {
    expect(messages(run(spec, st))).toEqual([]);
  });

  const withSnapshot = (extra: Partial<RunSpec>, pipelineSpec: unknown = snapshot) => ({ pipelineRef: ref, pipelineSpec, params: [{ name: 'target', value: 'linux' }], ...extra });

  // Each row: a broken Run (spec, optional status) and the errors it must produce.
  const cases: [string, unknown, unknown, [string, RegExp][]][] = [
    ['missing pipelineRef', { metadata }, undefined, [['spec.pipelineRef', /^Required value$/]]],
    ['unknown parameter with a hint', withSnapshot({ params: [{ name: 'target', value: 'x' }, { name: 'verison', value: '1' }] }), undefined, [['spec.params[1].name', /^Not found: the pipeline has no parameter "verison"; did you mean "version"\? \(parameters: [a-z, ]+\)$/]]],
    ['unknown parameter without a hint', withSnapshot({ params: [{ name: 'target', value: 'x' }, { name: 'zzz', value: '1' }] }), undefined, [['spec.params[1].name', /^Not found: the pipeline has no parameter "zzz" \(parameters: [a-z, ]+\)$/]]],
    ['missing required parameter', withSnapshot({ params: [{ name: 'version', value: '1' }] }), undefined, [['spec.params', /^Required value: parameter "target" has no default; set it$/]]],
    ['missing required parameter, no params at all', { pipelineRef: ref, pipelineSpec: snapshot }, undefined, [['spec.params', /parameter "target" has no default/]]],
    ['unknown job with a hint', withSnapshot({ jobs: ['build', 'tets'] }), undefined, [['spec.jobs[1]', /^Not found: the pipeline has no job "tets"; did you mean "test"\?$/]]],
    ['unknown job without a hint', withSnapshot({ jobs: ['deploy-to-prod'] }), undefined, [['spec.jobs[0]', /^Not found: the pipeline has no job "deploy-to-prod"$/]]],
    ['duplicate parameters', withSnapshot({ params: [{ name: 'target', value: 'a' }, { name: 'target', value: 'b' }] }), undefined, [['spec.params[1].name', /Duplicate value: name "target"/]]],
    ['snapshot: unknown need', withSnapshot({}, { jobs: [job('build'), job('test', { needs: ['biuld'] })] }), undefined, [['spec.pipelineSpec.jobs[1].needs[0]', /no job named "biuld"; did you mean "build"\?/]]],
    ['snapshot: cycle', withSnapshot({}, { jobs: [job('a', { needs: ['b'] }), job('b', { needs: ['a'] })] }), undefined, [['spec.pipelineSpec.jobs[0].needs', /cycle a → b → a/]]],
    ['snapshot: duplicate job', withSnapshot({}, { jobs: [job('a'), job('a')] }), undefined, [['spec.pipelineSpec.jobs[1].name', /Duplicate value: name "a"/]]],
    ['snapshot: bad job name', withSnapshot({}, { jobs: [job('Build_Step')] }), undefined, [['spec.pipelineSpec.jobs[0].name', /DNS label.*"build-step"/]]],
    ['snapshot: retries out of range', withSnapshot({}, { jobs: [job('a', { retries: 11 })] }), undefined, [['spec.pipelineSpec.jobs[0].retries', /less than or equal to 10/]]],
    ['snapshot: no jobs', withSnapshot({}, { jobs: [] }), undefined, [['spec.pipelineSpec.jobs', /at least 1/]]],
    ['snapshot: unknown field', withSnapshot({}, { jobs: [{ ...job('a'), retry: 1 }] }), undefined, [['spec.pipelineSpec.jobs[0].retry', /^unknown field$/]]],
    ['snapshot: undeclared parameter reference', withSnapshot({}, { jobs: [job('a', {}, 'echo $(KAYCI_PARAM_NOPE)')] }), undefined, [['spec.pipelineSpec.jobs[0].template.template.spec.containers[0].command[2]', /KAYCI_PARAM_NOPE\) refers to no parameter/]]],
    ['snapshot: Job template kayci owns', withSnapshot({}, { jobs: [{ ...job('a'), template: { ...job('a').template, backoffLimit: 2 } }] }), undefined, [['spec.pipelineSpec.jobs[0].template.backoffLimit', /set the job's `retries` instead/]]],
    ['metadata: commitSha not hex', { pipelineRef: ref, metadata: { commitSha: 'not-a-sha' } }, undefined, [['spec.metadata.commitSha', /Invalid value: "not-a-sha": must match \^\[0-9a-f\]\{7,64\}\$/]]],
    ['metadata: commitSha too short', { pipelineRef: ref, metadata: { commitSha: 'abc123' } }, undefined, [['spec.metadata.commitSha', /must match/]]],
    ['metadata: commitSha upper case', { pipelineRef: ref, metadata: { commitSha: '3F786850E387' } }, undefined, [['spec.metadata.commitSha', /must match/]]],
    ['metadata: prNumber not a number', { pipelineRef: ref, metadata: { prNumber: '#42' } }, undefined, [['spec.metadata.prNumber', /Invalid value: "#42": must match \^\[0-9\]\{1,12\}\$/]]],
    ['metadata: prNumber as a JSON number', { pipelineRef: ref, metadata: { prNumber: 42 } }, undefined, [['spec.metadata.prNumber', /must be of type string/]]],
    ['metadata: prNumber too long', { pipelineRef: ref, metadata: { prNumber: '1234567890123' } }, undefined, [['spec.metadata.prNumber', /must match/]]],
    ['metadata: bad provider', { pipelineRef: ref, metadata: { provider: 'bitbucket' } }, undefined, [['spec.metadata.provider', /supported values: "github", "gitlab", "generic", "schedule", "manual", "local"/]]],
    ['metadata: actor too long', { pipelineRef: ref, metadata: { actor: 'a'.repeat(257) } }, undefined, [['spec.metadata.actor', /Too long: may not be more than 256 characters \(got 257\)/]]],
    ['metadata: unknown field', { pipelineRef: ref, metadata: { sha: 'abc' } }, undefined, [['spec.metadata.sha', /^unknown field$/]]],
    ['cancel not a boolean', { pipelineRef: ref, cancel: 'yes' }, undefined, [['spec.cancel', /must be of type boolean/]]],
    ['status: bad phase', { pipelineRef: ref }, { phase: 'Done' }, [['status.phase', /supported values: "Pending", "Running", "Succeeded", "Failed", "Cancelled"/]]],
    ['status: job without a phase', { pipelineRef: ref }, { jobs: [{ name: 'a' }] }, [['status.jobs[0].phase', /^Required value$/]]],
    ['status: bad job phase', { pipelineRef: ref }, { jobs: [{ name: 'a', phase: 'Waiting' }] }, [['status.jobs[0].phase', /"Skipped", "Cancelled"/]]],
    ['status: duplicate job', { pipelineRef: ref }, { jobs: [{ name: 'a', phase: 'Running' }, { name: 'a', phase: 'Failed' }] }, [['status.jobs[1].name', /Duplicate value: name "a" is already used by status.jobs\[0\]/]]],
    ['status: result not a string', { pipelineRef: ref }, { jobs: [{ name: 'a', phase: 'Succeeded', results: { digest: 1 } }] }, [['status.jobs[0].results.digest', /must be of type string/]]],
    ['status: attempts beyond int32', { pipelineRef: ref }, { jobs: [{ name: 'a', phase: 'Running', attempts: 2 ** 31 }] }, [['status.jobs[0].attempts', /must fit in 32 bits/]]],
    ['status: bad time', { pipelineRef: ref }, { startTime: 'yesterday' }, [['status.startTime', /must be an RFC 3339 date-time/]]],
    ['status: condition without status', { pipelineRef: ref }, { conditions: [{ type: 'Ready' }] }, [['status.conditions[0].status', /^Required value$/]]],
    ['status: unknown field', { pipelineRef: ref }, { phase: 'Running', progress: 50 }, [['status.progress', /^unknown field$/]]],
  ];

  it.each(cases)('rejects: %s', (_name, spec, st, expected) => {
    const errors = validateRun(run(spec, st));
    for (const [path, pattern] of expected) {
      expect(errors.filter((e) => e.path === path).map((e) => e.message), `${path} in ${JSON.stringify(errors, null, 1)}`).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
    }
  });

  it('checks the object itself: a Run name is a DNS subdomain', () => {
    expect(messages(run({ pipelineRef: ref }, undefined, 'demo.manual-1'))).toEqual([]);
    expect(messages(run({ pipelineRef: ref }, undefined, 'Demo Run'))).toEqual([expect.stringMatching(/^metadata.name: Invalid value: "Demo Run" is not a DNS subdomain/)]);
    expect(messages({ ...run({ pipelineRef: ref }), kind: 'Pipeline' })).toEqual(['kind: Unsupported value: "Pipeline": must be "Run"']);
  });

  it('reports snapshot errors only under spec.pipelineSpec, never as top-level spec paths', () => {
    const errors = validateRun(run(withSnapshot({ params: [] }, { jobs: [job('a', { needs: ['zzz'], retries: -1 })] })));
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.path).toMatch(/^spec\.pipelineSpec\./);
  });

  it('reports every error at once, not the first', () => {
    const spec = withSnapshot({ params: [{ name: 'nope', value: '1' }], jobs: ['ghost'], metadata: { commitSha: 'x' } }, { params: [{ name: 'target' }], jobs: [job('a', { needs: ['a'] })] });
    expect(validateRun(run(spec, { phase: 'Done' })).map((e) => e.path)).toEqual(expect.arrayContaining(['spec.params[0].name', 'spec.params', 'spec.jobs[0]', 'spec.metadata.commitSha', 'spec.pipelineSpec.jobs[0].needs[0]', 'status.phase']));
  });

  it('never throws, whatever the input', () => {
    const junk = [
      null, 42, 'x', [], run(null), run([]), run('spec'),
      run({ pipelineRef: ref, pipelineSpec: [] }),
      run({ pipelineRef: ref, pipelineSpec: { params: 'x', jobs: 'y' }, params: 'z', jobs: 'w' }),
      run({ pipelineRef: ref, pipelineSpec: { params: [null, 1, { name: 3 }, { name: 'a', default: null }], jobs: [null, 1, { name: {} }, { name: 'b', needs: [null, 1, {}], template: null }] }, params: [null, 2, { name: 1 }], jobs: [null, 3, {}] }),
      run({ pipelineRef: ref, metadata: { changedFiles: [1, null] } }, { jobs: [null, 1, { results: [] }], conditions: 'x' }),
    ];
    for (const j of junk) expect(() => validateRun(j)).not.toThrow();
  });
});
