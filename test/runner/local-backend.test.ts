// The local backend with the host executor, against real processes: it must execute a rendered
// batch/v1 Job the way the Job controller and kubelet do — init containers then containers,
// retries up to backoffLimit, activeDeadlineSeconds, results from KAYCI_RESULTS_FILE — and stop
// everything a job started when asked.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IJobSpec } from 'kubernetes-models/batch/v1/JobSpec';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { HostExecutor } from '../../src/runner/executors/host.ts';
import { LocalBackend } from '../../src/runner/local-backend.ts';
import { project } from '../helpers/project.ts';
import { processesWith, settledProcessesWith, uniqueMarker, uniqueSleep, waitForProcess } from './processes.ts';

const sh = (name: string, script: string, extra: Partial<IContainer> = {}): IContainer => ({ name, image: 'alpine:3.20', command: ['sh', '-ec', script], ...extra });

function jobObject(containers: IContainer[], spec: Partial<IJobSpec> = {}, initContainers?: IContainer[]): IJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'run-1-job' },
    spec: { backoffLimit: 0, ...spec, template: { spec: { restartPolicy: 'Never', initContainers, containers } } },
  };
}

function setup() {
  const workspace = project({ 'README': 'workspace\n' });
  const runDir = path.join(workspace, '.kayci', 'runs', 'run-1');
  const output: { job: string; line: string; stream: string }[] = [];
  const listeners: ((line: string) => void)[] = [];
  const backend = new LocalBackend({
    executor: new HostExecutor(),
    workspace,
    mountPath: '/workspace',
    runDir,
    run: 'run-1',
    values: () => undefined,
    onOutput: (job, line, stream) => {
      output.push({ job, line, stream });
      for (const l of listeners) l(line);
    },
  });
  /** Resolves when a line containing `text` is printed. */
  const printed = (text: string) => new Promise<void>((resolve) => listeners.push((line) => line.includes(text) && resolve()));
  const run = async (job: string, object: IJob, runEnv: Record<string, string> = { KAYCI_RUN: 'run-1' }) => {
    const first = await backend.start({ job, object, runEnv });
    expect(first.phase).toBe('Running');
    return backend.wait(job);
  };
  return { workspace, runDir, output, backend, printed, run };
}

describe('LocalBackend with the host executor', () => {
  it('runs a job in the workspace with its variables and returns its results', async () => {
    const { backend, run, output, runDir, workspace } = setup();
    const container = sh('main', [
      'echo "in $(pwd) run=$KAYCI_RUN greeting=$GREETING"',
      'echo "to stderr" >&2',
      'echo "version=1.2.3" >> "$KAYCI_RESULTS_FILE"',
      'printf "# a comment\\n\\ndigest=sha256:abc=def\\n" >> "$KAYCI_RESULTS_FILE"',
    ].join('\n'), { env: [{ name: 'GREETING', value: 'hi $(KAYCI_RUN)' }] });
    const obs = await run('build', jobObject([container]));
    expect(obs).toMatchObject({ phase: 'Succeeded', attempts: 1, jobName: 'run-1-job', results: { version: '1.2.3', digest: 'sha256:abc=def' } });
    expect(obs.startTime).toBeDefined();
    expect(obs.completionTime).toBeDefined();
    expect(output).toEqual([
      { job: 'build', line: `in ${workspace} run=run-1 greeting=hi run-1`, stream: 'stdout' },
      { job: 'build', line: 'to stderr', stream: 'stderr' },
    ]);
    expect(await backend.logs('build')).toBe(`in ${workspace} run=run-1 greeting=hi run-1\nto stderr\n`);
    // The results file is the backend's business: gone after the job, only the log stays.
    expect(readdirSync(runDir)).toEqual(['build.log']);
  });

  it('fails with BadResults when the results file is not name=value lines', async () => {
    const { run } = setup();
    const obs = await run('bad', jobObject([sh('main', 'echo "this is not a result" >> "$KAYCI_RESULTS_FILE"')]));
    expect(obs).toMatchObject({ phase: 'Failed', reason: 'BadResults', attempts: 1 });
    expect(obs.message).toContain('"this is not a result" is not name=value');
  });

  it('fails with BadResults when the results are over the 4 KiB limit', async () => {
    const { run } = setup();
    const obs = await run('big', jobObject([sh('main', 'head -c 5000 /dev/zero | tr "\\0" x | sed "s/^/blob=/" >> "$KAYCI_RESULTS_FILE"')]));
    expect(obs).toMatchObject({ phase: 'Failed', reason: 'BadResults' });
    expect(obs.message).toMatch(/^results are 5005 bytes; at most 4096 fit/);
  });

  it('retries a failed attempt, up to backoffLimit, with fresh results each time', async () => {
    const { run, backend } = setup();
    const script = [
      'echo "attempt=$(cat count 2>/dev/null || echo 0)"',
      'if [ ! -f count ]; then echo 1 > count; echo stale=yes >> "$KAYCI_RESULTS_FILE"; echo "first attempt fails" >&2; exit 1; fi',
      'echo fresh=yes >> "$KAYCI_RESULTS_FILE"',
    ].join('\n');
    const obs = await run('flaky', jobObject([sh('main', script)], { backoffLimit: 2 }));
    expect(obs).toMatchObject({ phase: 'Succeeded', attempts: 2, results: { fresh: 'yes' } });
    expect(obs.results).not.toHaveProperty('stale');
    expect(await backend.logs('flaky')).toBe([
      'attempt=0',
      'first attempt fails',
      'exited with code 1',
      'retrying: attempt 2 of 3',
      'attempt=1',
      '',
    ].join('\n'));
  });

  it('fails with BackoffLimitExceeded and the exit code once every attempt failed', async () => {
    const { run, backend } = setup();
    const obs = await run('broken', jobObject([sh('main', 'echo "try $(date +%N)"; exit 3')], { backoffLimit: 1 }));
    expect(obs).toMatchObject({ phase: 'Failed', attempts: 2, reason: 'BackoffLimitExceeded' });
    expect(obs.message).toBe('exited with code 3');
    const log = await backend.logs('broken');
    expect(log.match(/^try /gm)).toHaveLength(2);
    expect(log).toContain('retrying: attempt 2 of 2');
  });

  it('without retries, one attempt and the plain reason; 127 gets a hint', async () => {
    const { run } = setup();
    const obs = await run('missing', jobObject([sh('main', 'no-such-tool-xyz --version')]));
    expect(obs).toMatchObject({ phase: 'Failed', attempts: 1, reason: 'BackoffLimitExceeded' });
    expect(obs.message).toBe('exited with code 127 (command not found: is the tool installed and on PATH?)');
  });

  it('reports a command that cannot be started at all', async () => {
    const { run, backend } = setup();
    const obs = await run('nobin', jobObject([{ name: 'main', command: ['./bin/not-built-yet'] }]));
    expect(obs).toMatchObject({ phase: 'Failed', reason: 'BackoffLimitExceeded' });
    expect(obs.message).toMatch(/^spawn \.\/bin\/not-built-yet ENOENT/);
    expect(await backend.logs('nobin')).toContain('error: spawn ./bin/not-built-yet ENOENT');
  });

  it('fails with DeadlineExceeded after activeDeadlineSeconds, retries included', async () => {
    const { run, backend } = setup();
    const marker = uniqueSleep();
    const began = Date.now();
    const obs = await run('slow', jobObject([sh('main', `echo going; sleep ${marker}`)], { activeDeadlineSeconds: 1, backoffLimit: 3 }));
    const took = Date.now() - began;
    expect(obs).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded', message: 'exceeded its timeout of 1s', attempts: 1 });
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(4000);
    expect(await backend.logs('slow')).toBe('going\nexceeded its timeout of 1s: stopped\n');
    expect(await settledProcessesWith(marker)).toEqual([]);
  });

  it('cancel() stops the whole process group, background processes included', async () => {
    const { backend, printed } = setup();
    const marker = uniqueMarker();
    const fg = uniqueSleep();
    const bg = uniqueSleep();
    const container = sh('main', `sleep ${bg} &\n(sleep ${bg} & wait) &\necho ready\nsleep ${fg}`, { env: [{ name: 'TEST_MARKER', value: marker }] });
    const ready = printed('ready');
    await backend.start({ job: 'hang', object: jobObject([container], { backoffLimit: 2 }), runEnv: {} });
    await ready;
    await waitForProcess(fg);
    // The script, two background sleeps, a subshell and the foreground sleep.
    expect(processesWith(marker).length).toBeGreaterThanOrEqual(4);
    const began = Date.now();
    await backend.cancel('hang');
    expect(Date.now() - began).toBeLessThan(3000);
    const obs = await backend.wait('hang');
    expect(obs).toMatchObject({ phase: 'Failed', reason: 'Cancelled', message: 'stopped', attempts: 1 });
    expect(await settledProcessesWith(marker)).toEqual([]);
    expect(processesWith(bg)).toEqual([]);
    expect(await backend.logs('hang')).toBe('ready\nstopped\n');
  });

  it('a job whose script exits while a background process holds its output finishes at once, and takes it along', async () => {
    const { run } = setup();
    const bg = uniqueSleep();
    const began = Date.now();
    const obs = await run('leaky', jobObject([sh('main', `sleep ${bg} &\necho done`)]));
    expect(obs).toMatchObject({ phase: 'Succeeded' });
    expect(Date.now() - began).toBeLessThan(3000);
    expect(await settledProcessesWith(bg)).toEqual([]);
  });

  it('cancel() of a job that is not running, or already finished, does nothing', async () => {
    const { backend, run } = setup();
    await backend.cancel('never-started');
    await run('quick', jobObject([sh('main', 'true')]));
    await backend.cancel('quick');
    await expect(backend.wait('never-started')).rejects.toThrow('job never-started was not started');
    expect(await backend.logs('never-started')).toBe('');
  });

  it('runs init containers first, in order, then the containers', async () => {
    const { run, workspace, output } = setup();
    const obs = await run('steps', jobObject(
      [sh('main', 'echo main >> order.txt; echo "result=$(tr "\\n" , < order.txt)" >> "$KAYCI_RESULTS_FILE"')],
      {},
      [sh('first', 'echo first > order.txt'), sh('second', 'echo "second sees $(cat order.txt)"; echo second >> order.txt')],
    ));
    expect(obs).toMatchObject({ phase: 'Succeeded', results: { result: 'first,second,main,' } });
    expect(readFileSync(path.join(workspace, 'order.txt'), 'utf8')).toBe('first\nsecond\nmain\n');
    expect(output.map((o) => o.line)).toEqual(['second sees first']);
  });

  it('a failing init container ends the attempt: later containers do not run; the retry starts over', async () => {
    const { run, workspace, backend } = setup();
    const obs = await run('init-fails', jobObject(
      [sh('main', 'touch main-ran')],
      { backoffLimit: 1 },
      [sh('setup', 'n=$(ls runs 2>/dev/null | wc -l); echo "setup $n"; mkdir -p runs; touch "runs/$n"; exit 4'), sh('never', 'touch never-ran')],
    ));
    expect(obs).toMatchObject({ phase: 'Failed', attempts: 2, reason: 'BackoffLimitExceeded', message: 'step setup exited with code 4' });
    expect(existsSync(path.join(workspace, 'never-ran'))).toBe(false);
    expect(existsSync(path.join(workspace, 'main-ran'))).toBe(false);
    expect(readdirSync(path.join(workspace, 'runs'))).toHaveLength(2);
    // logs() holds every attempt's output.
    expect(await backend.logs('init-fails')).toBe([
      'setup 0',
      'step setup exited with code 4',
      'retrying: attempt 2 of 2',
      'setup 1',
      'step setup exited with code 4',
      '',
    ].join('\n'));
  });

  it('each container gets its own env, expanded the Kubernetes way; the working directory follows the mount', async () => {
    const { run, output, workspace } = setup();
    const obs = await run('env', jobObject(
      [sh('main', 'echo "main: $(pwd) A=${A-unset} B=$B"', { workingDir: '/workspace/sub', env: [{ name: 'B', value: '$(KAYCI_RUN)/$(A)/$$(A)' }] })],
      {},
      [sh('mk', 'mkdir -p sub; echo "mk: A=$A"', { env: [{ name: 'A', value: 'only-in-mk' }] })],
    ), { KAYCI_RUN: 'run-1' });
    expect(obs.phase).toBe('Succeeded');
    expect(output.map((o) => o.line)).toEqual(['mk: A=only-in-mk', `main: ${path.join(workspace, 'sub')} A=unset B=run-1/$(A)/$(A)`]);
  });

  it('runs several jobs at once, each with its own log', async () => {
    const { backend, runDir } = setup();
    const began = Date.now();
    await backend.start({ job: 'one', object: jobObject([sh('main', 'sleep 0.5; echo one')]), runEnv: {} });
    await backend.start({ job: 'two', object: jobObject([sh('main', 'sleep 0.5; echo two')]), runEnv: {} });
    const [a, b] = await Promise.all([backend.wait('one'), backend.wait('two')]);
    expect(Date.now() - began).toBeLessThan(1000 + 500);
    expect([a.phase, b.phase]).toEqual(['Succeeded', 'Succeeded']);
    expect(readFileSync(path.join(runDir, 'one.log'), 'utf8')).toBe('one\n');
    expect(readFileSync(path.join(runDir, 'two.log'), 'utf8')).toBe('two\n');
  });
});
