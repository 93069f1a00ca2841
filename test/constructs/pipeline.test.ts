import { describe, expect, it } from 'vitest';
import { App, Duration, GitHubTrigger, Job, Notify, Param, Pipeline, ScheduleTrigger, Secret, WebhookTrigger } from '../../constructs/index.ts';
import type { PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';
import type { TriggerSpec } from '../../src/api/v1alpha1/trigger.ts';

function specOf(p: Pipeline): PipelineSpec {
  const r = p.render();
  expect(r.errors).toEqual([]);
  return r.documents[0]!.spec as PipelineSpec;
}

describe('Pipeline rendering', () => {
  it('renders jobs, params, results and needs', () => {
    const p = new Pipeline(new App(), 'svc');
    const version = new Param(p, 'version', { default: 'dev', description: 'stamped version' });
    const build = new Job(p, 'build', { image: 'golang:1.26', run: `go build -X=${version}`, results: ['digest'], timeout: Duration.minutes(5), retries: 2 });
    const test = p.addJob('test', { image: 'golang:1.26', run: 'go test ./...', env: { A: '1', TOKEN: Secret.fromName('creds').key('token') } });
    new Job(p, 'push', { image: 'crane', run: `crane push ${build.results.digest}`, needs: [test] });
    const spec = specOf(p);
    expect(spec.params).toEqual([{ name: 'version', default: 'dev', description: 'stamped version' }]);
    expect(spec.jobs.map((j) => [j.name, j.needs])).toEqual([['build', undefined], ['test', undefined], ['push', ['test', 'build']]]);
    const [b, t] = spec.jobs;
    expect(b!.timeoutSeconds).toBe(300);
    expect(b!.retries).toBe(2);
    expect(b!.results).toEqual([{ name: 'digest' }]);
    expect(b!.template.template!.spec!.containers[0]!.command).toEqual(['sh', '-ec', 'go build -X=$(KAYCI_PARAM_VERSION)']);
    expect(b!.template.template!.spec!.restartPolicy).toBe('Never');
    expect(t!.template.template!.spec!.containers[0]!.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
    ]);
  });

  it('renders late: jobs and needs added after construction show up', () => {
    const p = new Pipeline(new App(), 'late');
    const a = new Job(p, 'a', { image: 'x' });
    const b = new Job(p, 'b', { image: 'x' });
    expect(specOf(p).jobs.map((j) => j.needs)).toEqual([undefined, undefined]);
    b.needs(a);
    const c = p.addJob('c', { image: 'x' });
    c.needs(a, b);
    expect(specOf(p).jobs.map((j) => [j.name, j.needs])).toEqual([['a', undefined], ['b', ['a']], ['c', ['a', 'b']]]);
  });

  it('turns steps into init containers followed by the main container, inheriting job env and image', () => {
    const p = new Pipeline(new App(), 'steps');
    new Job(p, 'ci', {
      image: 'gcc:14',
      env: { CC: 'gcc', O: '2' },
      steps: [
        { name: 'configure', run: './configure' },
        { name: 'build', run: 'make', env: { O: '3' } },
        { name: 'lint', image: 'cppcheck:2', command: ['cppcheck'], args: ['src'] },
      ],
    });
    const pod = specOf(p).jobs[0]!.template.template!.spec!;
    expect(pod.initContainers!.map((c) => [c.name, c.image, c.command])).toEqual([
      ['configure', 'gcc:14', ['sh', '-ec', './configure']],
      ['build', 'gcc:14', ['sh', '-ec', 'make']],
    ]);
    expect(pod.initContainers![1]!.env).toEqual([{ name: 'CC', value: 'gcc' }, { name: 'O', value: '3' }]);
    expect(pod.containers.map((c) => [c.name, c.image, c.command, c.args])).toEqual([['lint', 'cppcheck:2', ['cppcheck'], ['src']]]);
  });

  it('passes a raw JobSpec template through unchanged', () => {
    const p = new Pipeline(new App(), 'raw');
    const template = { parallelism: 1, template: { spec: { restartPolicy: 'Never' as const, containers: [{ name: 'x', image: 'busybox', args: ['true'] }] } } };
    new Job(p, 'raw', { template });
    expect(specOf(p).jobs[0]!.template).toEqual(template);
  });

  it('renders pipeline settings, notify jobs and namespace/labels', () => {
    const p = new Pipeline(new App(), 'settings', {
      name: 'renamed',
      namespace: 'ci',
      labels: { team: 'infra' },
      concurrency: { group: 'deploy-$(KAYCI_BRANCH)', cancelInProgress: true, max: 1 },
      retention: { succeeded: 3, failed: 5, ttlSecondsAfterFinished: 86400 },
      workspace: { size: '5Gi', accessMode: 'ReadWriteMany' },
    });
    new Job(p, 'a', { image: 'x' });
    new Notify(p, 'chat', { on: ['Failed', 'Cancelled'], image: 'curl', run: 'curl -d "$(KAYCI_RUN) failed" https://chat' });
    const doc = p.render().documents[0]!;
    expect(doc.metadata).toEqual({ name: 'renamed', namespace: 'ci', labels: { team: 'infra' } });
    const spec = doc.spec as PipelineSpec;
    expect(spec.concurrency).toEqual({ group: 'deploy-$(KAYCI_BRANCH)', cancelInProgress: true, max: 1 });
    expect(spec.retention).toEqual({ succeeded: 3, failed: 5, ttlSecondsAfterFinished: 86400 });
    expect(spec.workspace).toEqual({ size: '5Gi', accessMode: 'ReadWriteMany' });
    expect(p.workspace?.mountPath).toBe('/workspace');
    expect(spec.notify?.map((n) => [n.name, n.on])).toEqual([['chat', ['Failed', 'Cancelled']]]);
  });

  it('renders triggers in the pipeline chart with the pipeline as their ref', () => {
    const p = new Pipeline(new App(), 'svc', { namespace: 'ci' });
    new Job(p, 'a', { image: 'x' });
    new GitHubTrigger(p, 'gh', { secret: [Secret.fromName('new').key('s'), Secret.fromName('old').key('s')], branches: ['main'], paths: ['src/**'] });
    new WebhookTrigger(p, 'hook', { name: 'custom-hook', secret: Secret.fromName('h').key('k'), events: ['push'] });
    new ScheduleTrigger(p, 'nightly', { cron: '0 3 * * *', branch: 'main', params: { mode: 'full' } });
    new GitHubTrigger(p, 'quiet', { secret: Secret.fromName('q').key('k'), commands: false });
    const docs = p.render().documents;
    expect(p.render().errors).toEqual([]);
    expect(docs.map((d) => [d.kind, (d.metadata as { name: string; namespace: string }).name, (d.metadata as { namespace: string }).namespace])).toEqual([
      ['Pipeline', 'svc', 'ci'],
      ['Trigger', 'svc-gh', 'ci'],
      ['Trigger', 'custom-hook', 'ci'],
      ['Trigger', 'svc-nightly', 'ci'],
      ['Trigger', 'svc-quiet', 'ci'],
    ]);
    const specs = docs.slice(1).map((d) => d.spec as TriggerSpec);
    expect(specs[0]).toEqual({ pipelineRef: { name: 'svc' }, webhook: { provider: 'github', secretRefs: [{ name: 'new', key: 's' }, { name: 'old', key: 's' }], branches: ['main'], paths: ['src/**'] } });
    expect(specs[1]!.webhook).toEqual({ provider: 'generic', secretRefs: [{ name: 'h', key: 'k' }], events: ['push'] });
    expect(specs[2]).toEqual({ pipelineRef: { name: 'svc' }, schedule: { cron: '0 3 * * *', branch: 'main' }, params: [{ name: 'mode', value: 'full' }] });
    expect(specs[3]!.commands).toEqual({ enabled: false });
  });

  it('renders the same bytes every time', () => {
    const build = () => {
      const p = new Pipeline(new App(), 'det');
      const a = new Job(p, 'a', { image: 'x', results: ['r'], env: { Z: '1', A: '2' } });
      new Job(p, 'b', { image: 'x', run: `${a.results.r}` });
      return JSON.stringify(p.render().documents);
    };
    expect(build()).toBe(build());
  });
});

describe('result references', () => {
  it('are typed: only declared results exist', () => {
    const p = new Pipeline(new App(), 'typed');
    const a = new Job(p, 'a', { image: 'x', results: ['digest', 'tag'] });
    expect(`${a.results.digest}`).toBe('$(KAYCI_RESULT_A_DIGEST)');
    expect(a.results.tag.variable).toBe('KAYCI_RESULT_A_TAG');
    // @ts-expect-error: `nope` is not a declared result, so this does not compile.
    expect(a.results.nope).toBeUndefined();
  });

  it('imply needs wherever Kubernetes expands them: args, command, env values', () => {
    const p = new Pipeline(new App(), 'refs');
    const a = new Job(p, 'a', { image: 'x', results: ['r'] });
    const b = new Job(p, 'b', { image: 'x', results: ['r'] });
    const c = new Job(p, 'c', { image: 'x', results: ['r'] });
    new Job(p, 'd', { image: 'x', command: ['echo', `${a.results.r}`], env: { B: b.results.r, C: `prefix-${c.results.r}` } });
    new Job(p, 'e', { image: 'x', run: `echo ${a.results.r}`, needs: [a] });
    const jobs = specOf(p).jobs;
    expect(jobs[3]!.needs).toEqual(['a', 'b', 'c']);
    expect(jobs[4]!.needs).toEqual(['a']);
    expect(jobs[3]!.template.template!.spec!.containers[0]!.env).toEqual([
      { name: 'B', value: '$(KAYCI_RESULT_B_R)' },
      { name: 'C', value: 'prefix-$(KAYCI_RESULT_C_R)' },
    ]);
  });
});

describe('prop errors (thrown at construction, naming the construct and prop)', () => {
  const p = () => new Pipeline(new App(), 'p');
  it.each([
    ['template with image', () => new Job(p(), 'j', { image: 'x', template: { template: { spec: { containers: [] } } } }), /\[p\/j\] template: cannot be combined with image/],
    ['run with command', () => new Job(p(), 'j', { image: 'x', run: 'a', command: ['b'] }), /\[p\/j\] props.run: cannot be combined with command/],
    ['run with args', () => new Job(p(), 'j', { image: 'x', run: 'a', args: ['b'] }), /\[p\/j\] props.args: cannot be combined with run/],
    ['empty steps', () => new Job(p(), 'j', { image: 'x', steps: [] }), /\[p\/j\] steps: must hold at least one step/],
    ['steps with run', () => new Job(p(), 'j', { image: 'x', run: 'a', steps: [{ name: 's', run: 'b' }] }), /\[p\/j\] run: cannot be combined with steps/],
    ['fractional retries', () => new Job(p(), 'j', { image: 'x', retries: 1.5 }), /\[p\/j\] retries: must be a whole number/],
    ['notify with template and run', () => new Notify(p(), 'n', { on: ['Failed'], run: 'x', template: { template: { spec: { containers: [] } } } }), /\[p\/n\] template: cannot be combined with run/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('synth-time validation (collected, with construct paths)', () => {
  it('collects every error of a broken pipeline in construct order', () => {
    const app = new App();
    const p = new Pipeline(app, 'broken');
    const other = new Pipeline(app, 'other');
    const foreign = new Job(other, 'lint', { image: 'x' });
    const a = new Job(p, 'a', { image: 'x' });
    const b = new Job(p, 'b', { image: 'x', needs: [a] });
    a.needs(b);
    new Job(p, 'Bad_Name', { image: 'x', needs: [foreign] });
    new Job(p, 'dup', { name: 'b', image: 'x' });
    const lines = p.render().errors.map((e) => `[${e.construct}] ${e.field ?? ''}: ${e.message}`);
    expect(lines).toEqual([
      expect.stringMatching(/^\[broken\/a\] needs: .*cycle a → b → a/),
      expect.stringMatching(/^\[broken\/Bad_Name\] name: .*DNS label.*"bad-name"/),
      expect.stringMatching(/^\[broken\/Bad_Name\] needs: needs job other\/lint, which belongs to another pipeline/),
      expect.stringMatching(/^\[broken\/dup\] name: Duplicate value: name "b" is already used by broken\/b/),
    ]);
  });

  it('requires digests in strict mode', () => {
    const p = new Pipeline(new App(), 's', { strict: true });
    new Job(p, 'tag', { image: 'golang:1.26' });
    new Job(p, 'pinned', { image: `golang@sha256:${'a'.repeat(64)}` });
    new Job(p, 'steps', { steps: [{ name: 'one', image: 'alpine:3' }, { name: 'two', image: `alpine@sha256:${'b'.repeat(64)}` }] });
    const errors = p.render().errors;
    expect(errors.map((e) => [e.construct, e.message.replace(/ \(strict mode\).*/, '')])).toEqual([
      ['s/tag', '"golang:1.26" is not pinned by digest'],
      ['s/steps', '"alpine:3" is not pinned by digest'],
    ]);
    expect(errors[0]!.message).toContain('golang:1.26@sha256:<digest>');
  });

  it('includes validations users attach to constructs', () => {
    const p = new Pipeline(new App(), 'u');
    const j = new Job(p, 'a', { image: 'x' });
    j.node.addValidation({ validate: () => ['team policy: jobs need an owner label'] });
    expect(p.render().errors).toEqual([{ construct: 'u/a', message: 'team policy: jobs need an owner label' }]);
  });
});
