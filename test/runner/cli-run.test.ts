// `kayci run` through the CLI's main(), in-process, on throwaway pipeline projects: what a user
// sees (summary, failed logs, exit codes), the options, and bad input — each reported clearly,
// with a non-zero exit and no run directory left behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo, project } from '../helpers/project.ts';

async function kayci(cwd: string, ...argv: string[]) {
  const io = captureIo(cwd);
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

/** A kayci.ts with the given body between the App and app.synth(). */
function entry(body: string, imports = 'App, Job, Pipeline'): string {
  return `import { ${imports} } from 'kayci';\nconst app = new App();\n${body}\napp.synth();\n`;
}

function runDirs(dir: string): string[] {
  const runs = path.join(dir, '.kayci', 'runs');
  return existsSync(runs) ? readdirSync(runs) : [];
}

/** Nothing of a run was created: no .kayci directory, no synth leftovers, only the given files. */
function expectNoRunState(dir: string, files: string[] = ['kayci.ts']) {
  expect(existsSync(path.join(dir, '.kayci'))).toBe(false);
  expect(readdirSync(dir).sort()).toEqual([...files].sort());
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('kayci run: a pipeline that succeeds', () => {
  const dir = project({
    'kayci.ts': entry(`
const p = new Pipeline(app, 'demo');
const build = new Job(p, 'build', { image: 'alpine', results: ['size'], run: 'echo "building in $(pwd)"\\necho size=42 >> "$KAYCI_RESULTS_FILE"' });
new Job(p, 'test', { image: 'alpine', run: \`echo "testing \${build.results.size} bytes, job $KAYCI_JOB of $(KAYCI_PIPELINE)"\` });
`),
  });

  it('exits 0, prefixes output with job names, passes results, prints the summary table', async () => {
    const { code, out, err } = await kayci(dir, 'run');
    expect(err).toBe('');
    expect(code).toBe(0);
    const [run] = runDirs(dir);
    expect(run).toMatch(/^demo-\d{8}-\d{6}$/);
    expect(out).toContain(`kayci run ${run}: pipeline demo from kayci.ts, 2 jobs,`);
    expect(out).toContain(`build │ building in ${dir}\n`);
    expect(out).toContain('test  │ testing 42 bytes, job test of demo\n');
    expect(out).toMatch(/^build │ ✓ succeeded \(\d+\.\ds\)$/m);
    expect(out).toMatch(/^JOB +STATUS +DURATION +ATTEMPTS\nbuild +Succeeded +\d+\.\ds +1\ntest +Succeeded +\d+\.\ds +1\n/m);
    expect(out).toMatch(new RegExp(`run ${run} succeeded in \\d+\\.\\ds; logs in \\.kayci/runs/${run}/\\n$`));
    // Each job's output is kept, with the run's snapshot and final status.
    const runDir = path.join(dir, '.kayci', 'runs', run!);
    expect(readFileSync(path.join(runDir, 'build.log'), 'utf8')).toBe(`building in ${dir}\n`);
    expect(readdirSync(runDir).sort()).toEqual(['build.log', 'run.json', 'status.json', 'test.log']);
    expect(JSON.parse(readFileSync(path.join(runDir, 'status.json'), 'utf8'))).toMatchObject({ phase: 'Succeeded' });
  });

  it('a second run gets its own directory', async () => {
    const before = runDirs(dir).length;
    expect((await kayci(dir, 'run', '--jobs', '1')).code).toBe(0);
    expect(runDirs(dir)).toHaveLength(before + 1);
  });
});

describe('kayci run: a pipeline that fails', () => {
  const dir = project({
    'kayci.ts': entry(`
const p = new Pipeline(app, 'demo');
const unit = new Job(p, 'unit', { image: 'alpine', run: 'for i in $(seq 1 30); do echo "check $i ok"; done\\necho "FAIL: parse(1.0) = nil, want 1.0.0" >&2\\nexit 2' });
new Job(p, 'package', { image: 'alpine', needs: [unit], run: 'echo packaging' });
new Job(p, 'lint', { image: 'alpine', run: 'echo lint clean' });
new Job(p, 'report', { image: 'alpine', when: { status: 'failure' }, run: 'echo "reporting the failure"' });
`),
  });

  it('exits 1, skips what needed the failed job, runs the failure job, and prints the failed log\'s tail', async () => {
    const { code, out } = await kayci(dir, 'run');
    expect(code).toBe(1);
    const [run] = runDirs(dir);
    expect(out).toContain('unit    │ ✗ failed');
    expect(out).toContain(': exited with code 2\n');
    expect(out).toContain('package │ – skipped: unit did not succeed\n');
    expect(out).toContain('lint    │ lint clean\n');
    expect(out).not.toContain('packaging');
    expect(out).toContain('report  │ reporting the failure\n');
    expect(out).toMatch(/^unit +Failed +\d+\.\ds +1$/m);
    expect(out).toMatch(/^package +Skipped +- +-$/m);
    expect(out).toMatch(/^lint +Succeeded /m);
    expect(out).toMatch(/^report +Succeeded /m);
    // The tail: the last 20 lines of the failed job's log, ending with the failure.
    const tail = out.slice(out.indexOf(`── last 20 lines of unit (.kayci/runs/${run}/unit.log) ──\n`));
    expect(tail).toMatch(/^── last 20 lines of unit .*\ncheck 13 ok\n(check \d+ ok\n){17}FAIL: parse\(1\.0\) = nil, want 1\.0\.0\nexited with code 2\n\nrun .* failed in /);
    expect(out).toMatch(new RegExp(`\\nrun ${run} failed in \\d+\\.\\ds; logs in \\.kayci/runs/${run}/\\n$`));
    const log = readFileSync(path.join(dir, '.kayci', 'runs', run!, 'unit.log'), 'utf8');
    expect(log.split('\n')).toHaveLength(33);
    expect(existsSync(path.join(dir, '.kayci', 'runs', run!, 'package.log'))).toBe(false);
  });
});

describe('kayci run: options', () => {
  const dir = project({
    'kayci.ts': entry(`
const p = new Pipeline(app, 'opts');
const version = new Param(p, 'version', { default: 'dev' });
const setup = new Job(p, 'setup', { image: 'alpine', run: 'echo setup >> ran.txt' });
const build = new Job(p, 'build', { image: 'alpine', needs: [setup], run: \`echo "build \${version} $KAYCI_PARAM_VERSION" >> ran.txt\` });
new Job(p, 'docs', { image: 'alpine', needs: [setup], run: 'echo docs >> ran.txt' });
new Job(p, 'deploy', { image: 'alpine', needs: [build], when: { events: ['push'] }, run: 'echo deploy >> ran.txt' });
`, 'App, Job, Param, Pipeline'),
  });
  /** What the jobs of every run so far appended to ran.txt. */
  const ran = () => {
    const file = path.join(dir, 'ran.txt');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
  };

  it('--job runs the named job and the jobs it needs, nothing else', async () => {
    const { code, out } = await kayci(dir, 'run', '--job', 'build');
    expect(code).toBe(0);
    expect(out).toContain('pipeline opts from kayci.ts, 2 jobs,');
    expect(out).toMatch(/^JOB +STATUS +DURATION +ATTEMPTS\nsetup +Succeeded .*\nbuild +Succeeded .*\n\n/m);
    expect(ran()).toEqual(['setup', 'build dev dev']);
  });

  it('--param reaches the jobs as KAYCI_PARAM_*, in $(…) and in the shell', async () => {
    const before = ran().length;
    const { code } = await kayci(dir, 'run', '--job', 'build', '--param', 'version=1.2.3-rc.1');
    expect(code).toBe(0);
    expect(ran().slice(before)).toEqual(['setup', 'build 1.2.3-rc.1 1.2.3-rc.1']);
  });

  it('--event decides what when.events filters: pull_request skips a push-only job', async () => {
    const before = ran().length;
    const { code, out } = await kayci(dir, 'run', '--event', 'pull_request', '--jobs', '1');
    expect(code).toBe(0);
    expect(out).toMatch(/^deploy +│ – skipped: .*pull_request/m);
    expect(out).toMatch(/^deploy +Skipped /m);
    expect(ran().slice(before).sort()).toEqual(['build dev dev', 'docs', 'setup']);
    const push = await kayci(dir, 'run', '--jobs', '1');
    expect(push.code).toBe(0);
    expect(ran()).toContain('deploy');
  });

  it('--dry-run prints the plan by level and runs nothing', async () => {
    const before = runDirs(dir).length;
    const lines = ran().length;
    const { code, out, err } = await kayci(dir, 'run', '--dry-run', '--event', 'pull_request');
    expect([code, err]).toEqual([0, '']);
    expect(out.split('\n')).toEqual([
      expect.stringMatching(/^pipeline opts: 4 jobs \(event pull_request, branch .*\)$/),
      '  level 1: setup',
      '  level 2: build, docs',
      expect.stringMatching(/^ {2}skipped: deploy \(.*pull_request.*\)$/),
      '',
    ]);
    expect((await kayci(dir, 'run', '--dry-run', '--job', 'deploy')).out.split('\n').slice(1)).toEqual(['  level 1: setup', '  level 2: build', '  level 3: deploy', '']);
    expect(runDirs(dir)).toHaveLength(before);
    expect(ran()).toHaveLength(lines);
  });
});

describe('kayci run --jobs', () => {
  const files = (sleep: number) => ({
    'kayci.ts': entry(`
const p = new Pipeline(app, 'par');
for (const name of ['a', 'b', 'c']) new Job(p, name, { image: 'alpine', run: ${'`'}echo "start \${name}" >> order.txt; sleep ${sleep}; echo "end \${name}" >> order.txt${'`'} });
`),
  });

  it('--jobs 1 runs one job at a time', async () => {
    const dir = project(files(0.2));
    const { code, out } = await kayci(dir, 'run', '--jobs', '1');
    expect(code).toBe(0);
    expect(out).toContain('3 jobs, 1 at a time, host executor');
    expect(readFileSync(path.join(dir, 'order.txt'), 'utf8')).toBe('start a\nend a\nstart b\nend b\nstart c\nend c\n');
  });

  it('--jobs 3 runs them together', async () => {
    // Long enough that all three start before the first ends, even on a busy machine.
    const dir = project(files(1.5));
    const { code, out } = await kayci(dir, 'run', '--jobs', '3');
    expect(code).toBe(0);
    expect(out).toContain('3 jobs, 3 at a time, host executor');
    const order = readFileSync(path.join(dir, 'order.txt'), 'utf8').trim().split('\n');
    expect(order.slice(0, 3).sort()).toEqual(['start a', 'start b', 'start c']);
  });
});

describe('kayci run: secrets', () => {
  const files = {
    'kayci.ts': entry(`
const p = new Pipeline(app, 'sec');
new Job(p, 'publish', { image: 'alpine', env: { TOKEN: Secret.fromName('registry-creds').key('api.token') }, run: 'echo "token has \${#TOKEN} characters"' });
`, 'App, Job, Pipeline, Secret'),
  };

  it('a Secret env value comes from KAYCI_SECRET_<SECRET>_<KEY>', async () => {
    const dir = project(files);
    vi.stubEnv('KAYCI_SECRET_REGISTRY_CREDS_API_TOKEN', 'abcdefghij');
    const { code, out } = await kayci(dir, 'run');
    expect(code).toBe(0);
    expect(out).toContain('publish │ token has 10 characters\n');
    expect(out).not.toContain('abcdefghij');
  });

  it('without it, the run does not start and says what to set', async () => {
    const dir = project(files);
    vi.stubEnv('KAYCI_SECRET_REGISTRY_CREDS_API_TOKEN', undefined);
    const { code, out, err } = await kayci(dir, 'run');
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe([
      'kayci: cannot run pipeline sec with the host executor:',
      '  job publish: env TOKEN reads Secret registry-creds, key api.token: locally set KAYCI_SECRET_REGISTRY_CREDS_API_TOKEN in your environment',
      '',
    ].join('\n'));
    expectNoRunState(dir);
  });
});

describe('kayci run: bad input is reported before anything runs', () => {
  const TWO = entry(`
const a = new Pipeline(app, 'backend');
new Job(a, 'build', { image: 'alpine', run: 'touch ran-backend' });
const b = new Pipeline(app, 'frontend');
new Job(b, 'build', { image: 'alpine', run: 'touch ran-frontend' });
`);
  const ONE = entry(`
const p = new Pipeline(app, 'demo');
new Param(p, 'target');
new Param(p, 'level', { default: '1' });
const build = new Job(p, 'build', { image: 'alpine', run: 'touch ran-build' });
new Job(p, 'test', { image: 'alpine', needs: [build], run: 'touch ran-test' });
`, 'App, Job, Param, Pipeline');

  // Bad option values are usage errors (exit 2); bad pipelines, jobs and parameters exit 1.
  const cases: [string, string, string[], RegExp | string][] = [
    ['an unknown --pipeline, with a suggestion', TWO, ['--pipeline', 'backnd'], 'kayci: no pipeline "backnd" in kayci.ts:\n  did you mean "backend"? pipelines: backend, frontend\n'],
    ['several pipelines and no --pipeline', TWO, [], 'kayci: kayci.ts defines 2 pipelines:\n  choose one with --pipeline: backend, frontend\n'],
    ['an unknown --job, with a suggestion', ONE, ['--param', 'target=x', '--job', 'tset'], /^kayci: cannot run pipeline demo:\n {2}--job: .*"tset".*did you mean "test"/],
    ['an unknown --param', ONE, ['--param', 'target=x', '--param', 'levle=2'], /^kayci: cannot run pipeline demo:\n {2}--param: .*"levle"/],
    ['a required --param not set', ONE, [], /^kayci: cannot run pipeline demo:\n {2}--param: .*"target" has no default/],
    ['a --param without =', ONE, ['--param', 'target'], 'kayci: --param "target": expected name=value\n(run `kayci --help` for usage)\n'],
    ['--executor bogus', ONE, ['--param', 'target=x', '--executor', 'bogus'], 'kayci: --executor "bogus": use host, docker or podman\n(run `kayci --help` for usage)\n'],
    ['--jobs 0', ONE, ['--param', 'target=x', '--jobs', '0'], 'kayci: --jobs: "0" is not a whole number of 1 or more\n(run `kayci --help` for usage)\n'],
    ['--jobs 1.5', ONE, ['--param', 'target=x', '--jobs', '1.5'], 'kayci: --jobs: "1.5" is not a whole number of 1 or more\n(run `kayci --help` for usage)\n'],
  ];

  it.each(cases)('%s', async (_what, source, args, message) => {
    const dir = project({ 'kayci.ts': source });
    const { code, out, err } = await kayci(dir, 'run', ...args);
    expect(code).toBe(typeof message === 'string' && message.includes('kayci --help') ? 2 : 1);
    expect(out).toBe('');
    if (typeof message === 'string') expect(err).toBe(message);
    else expect(err).toMatch(message);
    expectNoRunState(dir);
  });

  it('every job the host cannot run is listed at once: no command, a tool not on PATH', async () => {
    const dir = project({
      'kayci.ts': entry(`
const p = new Pipeline(app, 'tools');
new Job(p, 'fine', { image: 'alpine', run: 'touch ran-fine' });
new Job(p, 'entrypoint', { image: 'x' });
new Job(p, 'lint', { image: 'x', command: ['no-such-tool-xyz', '--fix'] });
new Job(p, 'steps', { image: 'x', steps: [{ name: 'one', run: 'true' }, { name: 'two', command: ['no-such-tool-abc'] }] });
`),
    });
    const { code, out, err } = await kayci(dir, 'run');
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe([
      'kayci: cannot run pipeline tools with the host executor:',
      '  job entrypoint: container entrypoint has no command: the host executor runs commands, not image entrypoints; set `run` or `command` (or use --executor docker)',
      '  job lint: container lint runs "no-such-tool-xyz", which is not on PATH; install it or fix the command',
      '  job steps: container two runs "no-such-tool-abc", which is not on PATH; install it or fix the command',
      '',
    ].join('\n'));
    expectNoRunState(dir);
  });

  it('a job the run does not include is not checked', async () => {
    const dir = project({
      'kayci.ts': entry(`
const p = new Pipeline(app, 'tools');
new Job(p, 'fine', { image: 'alpine', run: 'echo fine' });
new Job(p, 'lint', { image: 'x', command: ['no-such-tool-xyz'] });
new Job(p, 'pr-only', { image: 'x', command: ['no-such-tool-xyz'], when: { events: ['pull_request'] } });
`),
    });
    const { code } = await kayci(dir, 'run', '--job', 'fine');
    expect(code).toBe(0);
  });

  it('an entry that does not compile', async () => {
    const dir = project({ 'kayci.ts': `import { App } from 'kayci';\nconst app = new App(;\napp.synth();\n` });
    const { code, out, err } = await kayci(dir, 'run');
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/^kayci: cannot bundle the pipeline entry:\n {2}kayci\.ts:2:\d+: /);
    expectNoRunState(dir);
  });

  it('an entry that throws while building the pipeline', async () => {
    const dir = project({ 'kayci.ts': entry(`const p = new Pipeline(app, 'demo');\nnew Job(p, 'x', { image: 'a', run: 'true', command: ['b'] });`) });
    const { code, err } = await kayci(dir, 'run');
    expect(code).toBe(1);
    expect(err).toContain('[demo/x] props.run: cannot be combined with command');
    expectNoRunState(dir);
  });

  it('an entry that does not exist', async () => {
    const dir = project({ 'kayci.ts': ONE });
    const { code, err } = await kayci(dir, 'run', 'nope.ts');
    expect(code).toBe(1);
    expect(err).toMatch(/^kayci: .*nope\.ts/);
    expectNoRunState(dir);
  });

  it('an unknown option is a usage error', async () => {
    const dir = project({ 'kayci.ts': ONE });
    const { code, err } = await kayci(dir, 'run', '--jbo', 'x');
    expect(code).toBe(2);
    expect(err).toContain("unknown option '--jbo'");
    expectNoRunState(dir);
  });
});

describe('kayci run on synthesized YAML', () => {
  const dir = project({
    'kayci.ts': entry(`
const p = new Pipeline(app, 'from-yaml');
const build = new Job(p, 'build', { image: 'alpine', results: ['id'], run: 'echo id=b-7 >> "$KAYCI_RESULTS_FILE"' });
new Job(p, 'show', { image: 'alpine', run: \`echo "built \${build.results.id} in $(pwd)"\` });
const q = new Pipeline(app, 'other');
new Job(q, 'x', { image: 'alpine', run: 'echo other' });
`),
  });

  it('runs what `kayci synth` wrote, from the directory or one file, in the current directory', async () => {
    const synth = await kayci(dir, 'synth');
    expect(synth.code).toBe(0);
    expect(readdirSync(path.join(dir, 'dist')).sort()).toEqual(['from-yaml.k8s.yaml', 'other.k8s.yaml']);

    const several = await kayci(dir, 'run', 'dist');
    expect(several.code).toBe(1);
    expect(several.err).toBe('kayci: dist defines 2 pipelines:\n  choose one with --pipeline: from-yaml, other\n');
    expect(existsSync(path.join(dir, '.kayci'))).toBe(false);

    const fromDir = await kayci(dir, 'run', 'dist', '--pipeline', 'from-yaml');
    expect(fromDir.code).toBe(0);
    expect(fromDir.out).toContain('pipeline from-yaml from dist, 2 jobs');
    expect(fromDir.out).toContain(`show  │ built b-7 in ${dir}\n`);

    const fromFile = await kayci(dir, 'run', 'dist/other.k8s.yaml');
    expect(fromFile.code).toBe(0);
    expect(fromFile.out).toContain('pipeline other from dist/other.k8s.yaml, 1 job');
    expect(fromFile.out).toContain('x   │ other\n');
    expect(runDirs(dir)).toHaveLength(2);
  });

  it('reports YAML that is not a valid Pipeline, naming the file', async () => {
    const bad = project({ 'dist/bad.k8s.yaml': 'apiVersion: kayci.dev/v1alpha1\nkind: Pipeline\nmetadata:\n  name: Bad_Name\nspec:\n  jobs: []\n' });
    const { code, err } = await kayci(bad, 'run', 'dist');
    expect(code).toBe(1);
    expect(err).toMatch(/^kayci: dist\/bad\.k8s\.yaml holds an invalid Pipeline:\n/);
    expect(existsSync(path.join(bad, '.kayci'))).toBe(false);
  });

  it('a directory with neither kayci.ts nor YAML', async () => {
    const empty = project({ 'README.md': '' });
    const { code, err } = await kayci(empty, 'run', '.');
    expect(code).toBe(1);
    expect(err).toBe('kayci: . holds neither kayci.ts nor *.k8s.yaml files\n');
  });
});
