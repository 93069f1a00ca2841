// Synth benchmark: kayci synthesizing 1, 100 and 1,000 pipelines of 10 jobs against plain cdk8s
// writing the same Pipeline objects, measured in the same run (see DESIGN.md, Testing).
//
//   npm run bench:synth [-- --out-base DIR] [--profile | --no-profile] [--quick] [--keep]
//
// Targets: kayci ≤ 1.2× the faster cdk8s layout at 1,000 pipelines, and linear growth (1,000
// pipelines ≤ 12× the time of 100). It prints PASS/MISS and exits 0 either way: a benchmark on
// a shared machine is a measurement, not an assertion.
//
// kayci's side is `synth({ entry }) + writeFiles()` in-process, on a generated entry that builds
// N pipelines with the authoring API (shape.ts). The peer is cdk8s's `app.synth()` on the same N
// objects, byte-identical as JSON, in two layouts (peer.ts); the faster one is the denominator.
// Each side runs in a process of its own (worker.ts) with one warm-up; their reps are
// interleaved round by round, so the ratio is the median of per-round ratios and load from
// elsewhere on the machine hits both sides of it alike.
//
// Output directories live under --out-base, by default tmpfs (/dev/shm) when there is one, so
// that the comparison is about the work the tools do rather than the disk's file-creation
// latency, which on a VM can dwarf it: kayci writes one file per pipeline, the faster cdk8s
// layout one file in all (the probe line shows what creating a file costs on both).
//
// When kayci misses the ratio target (or with --profile) it also CPU-profiles one synth at
// 1,000 pipelines and prints where the time goes (profile.ts).
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProfile, summarizeProfile } from './profile.ts';
import { PHASE_HELP, PHASES, type Phase } from './phases.ts';
import { entrySource } from './shape.ts';
import type { PhaseMeasurement, Rep, Side } from './worker.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const WORKER = path.join(HERE, 'worker.ts');
const SIZES = [1, 100, 1000] as const;
const RATIO_TARGET = 1.2;
const GROWTH_TARGET = 12;

interface Options {
  outBase: string;
  profile: 'auto' | 'always' | 'never';
  quick: boolean;
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { outBase: defaultOutBase(), profile: 'auto', quick: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out-base') o.outBase = path.resolve(argv[++i] ?? '.');
    else if (a === '--profile') o.profile = 'always';
    else if (a === '--no-profile') o.profile = 'never';
    else if (a === '--quick') o.quick = true;
    else if (a === '--keep') o.keep = true;
    else {
      process.stderr.write(`unknown argument ${a}\nusage: node test/bench/synth/run.ts [--out-base DIR] [--profile | --no-profile] [--quick] [--keep]\n`);
      process.exit(2);
    }
  }
  return o;
}

function defaultOutBase(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

const SIDES = ['kayci', 'chart-per-pipeline', 'one-chart'] as const satisfies readonly Side[];

interface Measurement {
  readonly times: number[];
  readonly files: number;
  readonly bytes: number;
  readonly sample: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const spread = (xs: number[]) => `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}`;
const pad = (s: string, w: number) => s.padStart(w);

/**
 * Times every side at size `n`: one process per side, warmed up, then `rounds` rounds of one rep
 * each, the order rotating per round. Returns each side's reps, in round order.
 */
async function measureInterleaved(n: number, rounds: number, entry: string, work: string): Promise<Map<Side, Measurement>> {
  const workers = new Map<Side, ChildProcess>();
  const reps = new Map<Side, Rep[]>(SIDES.map((s) => [s, []]));
  const next = (child: ChildProcess) =>
    new Promise<unknown>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`worker exited with ${code} before answering`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m);
      });
    });
  try {
    for (const side of SIDES) {
      const child = fork(WORKER, ['serve', side, String(n), entry, work], { cwd: ROOT, execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      workers.set(side, child);
      await next(child); // warm-up done
    }
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < SIDES.length; i++) {
        const side = SIDES[(r + i) % SIDES.length]!;
        const child = workers.get(side)!;
        const answer = next(child);
        child.send('rep');
        reps.get(side)!.push((await answer) as Rep);
      }
    }
  } finally {
    // Wait for them to exit, so that no teardown overlaps the next measurement.
    await Promise.all(
      [...workers.values()].map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        if (child.connected) child.send('done');
        else child.kill();
        return exited;
      }),
    );
  }
  return new Map(
    SIDES.map((side) => {
      const list = reps.get(side)!;
      return [side, { times: list.map((x) => x.ms), files: list[0]!.files, bytes: list[0]!.bytes, sample: list[0]!.sample }];
    }),
  );
}

function runWorker<T>(args: string[], nodeFlags: string[] = []): T {
  const r = spawnSync(process.execPath, ['--expose-gc', ...nodeFlags, WORKER, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`worker ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

/** Wall time of a command, in ms, after it finished successfully. */
function timeCommand(args: string[]): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const elapsed = performance.now() - start;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return elapsed;
}

/** Microseconds to create one 6 KiB file in `dir` (1000 files, as many as kayci writes at N=1000). */
function probeCreate(dir: string): number {
  const d = mkdtempSync(path.join(dir, 'kayci-bench-probe-'));
  try {
    const content = 'x'.repeat(6 * 1024);
    const start = performance.now();
    for (let i = 0; i < 1000; i++) writeFileSync(path.join(d, `f${i}.yaml`), content);
    return performance.now() - start; // ms for 1000 files = µs per file
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const log = (line = '') => process.stdout.write(`${line}\n`);

  // Entries live inside the package so that `import … from 'kayci'` resolves (self-reference);
  // .tmp/ is git-ignored, and each run has its own directory in it.
  mkdirSync(path.join(HERE, '.tmp'), { recursive: true });
  const entryDir = mkdtempSync(path.join(HERE, '.tmp', 'run-'));
  mkdirSync(opts.outBase, { recursive: true });
  const work = mkdtempSync(path.join(opts.outBase, 'kayci-bench-synth-'));
  const cleanup = () => {
    if (opts.keep) return;
    rmSync(work, { recursive: true, force: true });
    rmSync(entryDir, { recursive: true, force: true });
    try {
      rmdirSync(path.join(HERE, '.tmp'));
    } catch {
      // another run still uses it
    }
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  try {
    const entries = new Map<number, string>();
    for (const n of SIZES) {
      const dir = path.join(entryDir, `n${n}`);
      mkdirSync(dir, { recursive: true });
      const entry = path.join(dir, 'kayci.ts');
      writeFileSync(entry, entrySource(n));
      entries.set(n, entry);
    }

    log(`kayci synth benchmark: N pipelines × 10 jobs; node ${process.versions.node}, ${os.cpus().length} CPUs`);
    const probe = probeCreate(opts.outBase);
    const diskProbe = opts.outBase === os.tmpdir() ? undefined : probeCreate(os.tmpdir());
    log(`output under ${opts.outBase}: creating a 6 KiB file costs ${probe.toFixed(0)} µs${diskProbe === undefined ? '' : ` (under ${os.tmpdir()}: ${diskProbe.toFixed(0)} µs)`}`);
    const rounds = opts.quick ? 1 : 5;
    log(`times: medians of ${rounds} interleaved rounds after one warm-up per process, (min–max); ratio: median of per-round ratios\n`);

    // In-process measurements: one process per side and size, reps interleaved.
    const results = new Map<string, Measurement>();
    const key = (side: Side, n: number) => `${side}@${n}`;
    for (const n of SIZES) {
      const m = await measureInterleaved(n, rounds, entries.get(n)!, work);
      for (const side of SIDES) results.set(key(side, n), m.get(side)!);
    }

    const header = `${'N'.padStart(5)} │ ${pad('kayci ms', 16)} │ ${pad('cdk8s chart/pipeline ms', 24)} │ ${pad('cdk8s one chart ms', 20)} │ ${pad('kayci ÷ best peer', 17)}`;
    log('synth + write, in-process');
    log(header);
    log('─'.repeat(header.length));
    const ratio = new Map<number, number>();
    for (const n of SIZES) {
      const k = results.get(key('kayci', n))!;
      const a = results.get(key('chart-per-pipeline', n))!;
      const b = results.get(key('one-chart', n))!;
      const bestPeer = median(a.times) <= median(b.times) ? a : b;
      ratio.set(n, median(k.times.map((t, r) => t / bestPeer.times[r]!)));
      const cell = (m: Measurement, w: number, mark = '') => pad(`${mark}${ms(median(m.times))} (${spread(m.times)})`, w);
      const fastest = median(a.times) <= median(b.times) ? 'a' : 'b';
      log(
        `${String(n).padStart(5)} │ ${cell(k, 16)} │ ${cell(a, 24, fastest === 'a' ? '*' : '')} │ ${cell(b, 20, fastest === 'b' ? '*' : '')} │ ${pad(`${ratio.get(n)!.toFixed(2)}×`, 17)}`,
      );
    }
    log('* the faster peer layout, the denominator of the ratio');
    const k1000 = results.get(key('kayci', 1000))!;
    const peer1000 = results.get(key('one-chart', 1000))!;
    const same = k1000.sample === results.get(key('one-chart', 1))!.sample && k1000.sample === results.get(key('chart-per-pipeline', 1))!.sample;
    log(
      `output at N=1000: kayci ${k1000.files} files, ${(k1000.bytes / 1e6).toFixed(2)} MB; cdk8s one chart ${peer1000.files} file, ${(peer1000.bytes / 1e6).toFixed(2)} MB; ` +
        `Pipeline objects identical as JSON: ${same ? 'yes' : 'NO — fix shape.ts before trusting the ratio'}`,
    );

    const growth = median(k1000.times) / median(results.get(key('kayci', 100))!.times);
    const r1000 = ratio.get(1000)!;
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    log();
    log(`${verdict(r1000 <= RATIO_TARGET)}  kayci at 1000 pipelines: ${r1000.toFixed(2)}× the faster cdk8s layout (target ≤ ${RATIO_TARGET}×)`);
    log(`${verdict(growth <= GROWTH_TARGET)}  kayci growth 100 → 1000 pipelines: ${growth.toFixed(1)}× (target ≤ ${GROWTH_TARGET}×, linear = 10×)`);
    // The fixed cost (bundling, loading) flatters the ratio above; the cost of one more
    // pipeline in each range says whether growth is really linear (equal = linear).
    const marginal = (side: Side, from: number, to: number) =>
      ((median(results.get(key(side, to))!.times) - median(results.get(key(side, from))!.times)) / (to - from)).toFixed(2);
    log(
      `      ms per extra pipeline, 1→100 vs 100→1000: kayci ${marginal('kayci', 1, 100)} vs ${marginal('kayci', 100, 1000)}; ` +
        `cdk8s one chart ${marginal('one-chart', 1, 100)} vs ${marginal('one-chart', 100, 1000)}; ` +
        `cdk8s chart/pipeline ${marginal('chart-per-pipeline', 1, 100)} vs ${marginal('chart-per-pipeline', 100, 1000)}`,
    );

    // End to end, as users run them: `kayci synth` against a process running the cdk8s app.
    log();
    log('end to end (process start to exit), for information');
    const cliHeader = `${'N'.padStart(5)} │ ${pad('kayci synth ms', 16)} │ ${pad('cdk8s app process ms', 32)} │ ${pad('ratio', 7)}`;
    log(cliHeader);
    log('─'.repeat(cliHeader.length));
    const cliReps = opts.quick ? 1 : 3;
    timeCommand(['bin/kayci.js', 'synth', entries.get(1)!, '--out', path.join(work, 'cli-warmup')]);
    for (const n of SIZES) {
      const layout = median(results.get(key('chart-per-pipeline', n))!.times) <= median(results.get(key('one-chart', n))!.times) ? 'chart-per-pipeline' : 'one-chart';
      const kt: number[] = [];
      const pt: number[] = [];
      for (let i = 0; i < cliReps; i++) {
        const kout = path.join(work, `cli-kayci-${n}-${i}`);
        const pout = path.join(work, `cli-peer-${n}-${i}`);
        kt.push(timeCommand(['bin/kayci.js', 'synth', entries.get(n)!, '--out', kout]));
        pt.push(timeCommand([path.join(HERE, 'peer-main.ts'), String(n), layout, pout]));
        rmSync(kout, { recursive: true, force: true });
        rmSync(pout, { recursive: true, force: true });
      }
      log(`${String(n).padStart(5)} │ ${pad(ms(median(kt)), 16)} │ ${pad(`${ms(median(pt))} (${layout})`, 32)} │ ${pad(`${(median(kt) / median(pt)).toFixed(2)}×`, 7)}`);
    }

    // Where kayci's time goes at 1000 pipelines.
    log();
    const phaseReps = opts.quick ? 1 : 3;
    const ph = runWorker<PhaseMeasurement>(['phases', '1000', String(phaseReps), entries.get(1000)!, work]);
    const total = median(ph.totals);
    log(`kayci phases at 1000 pipelines (median of ${phaseReps}, total ${ms(total)} ms; cdk8s one chart: ${ms(median(peer1000.times))} ms)`);
    for (const p of PHASES as readonly Phase[]) {
      const m = median(ph.phases[p]);
      log(`  ${p.padEnd(7)} ${pad(ms(m), 7)} ms ${pad(((m / total) * 100).toFixed(0), 3)}%  ${PHASE_HELP[p]}`);
    }

    if (opts.profile === 'always' || (opts.profile === 'auto' && r1000 > RATIO_TARGET)) {
      const profDir = path.join(work, 'profiles');
      runWorker<PhaseMeasurement>(['phases', '1000', '1', entries.get(1000)!, work], ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=250']);
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))!;
      log();
      // The worker ran a warm-up and one timed rep: two synths in the profile.
      log(formatProfile(summarizeProfile(path.join(profDir, file)), 2));
      if (opts.keep) log(`profile kept: ${path.join(profDir, file)} (open it in Chrome DevTools)`);
    }

    log();
    log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s${opts.keep ? `; kept ${work} and ${entryDir}` : ''}`);
  } finally {
    cleanup();
  }
}

if (!existsSync(path.join(ROOT, 'node_modules', 'cdk8s'))) {
  process.stderr.write('run `npm ci` first\n');
  process.exit(1);
}
await main();
