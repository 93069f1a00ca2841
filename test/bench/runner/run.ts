// Runner benchmark: `kayci run --jobs 2` against `make -j2` on the same DAG of 1,000 trivial
// jobs (`true`), shaped wide, chain and layered (10 × 100, each layer needing all of the one
// before), measured in the same run (see DESIGN.md, Testing); and the planner alone on
// 10,000-node DAGs.
//
//   node test/bench/runner/run.ts [--out-base DIR] [--reps N] [--jobs N] [--shapes wide,chain,layered]
//                                 [--kayci PATH/TO/kayci.js] [--profile | --no-profile] [--no-entry] [--quick] [--keep]
//
// Targets: kayci ≤ 1.5× make on wide and layered, ≤ 2× on chain; the planner ≤ 20 µs per node
// over a whole simulated run. It prints PASS/MISS and exits 0 either way: a benchmark on a
// shared machine is a measurement, not an assertion.
//
// Both sides are whole processes timed from spawn to exit: `node bin/kayci.js run <dir> --jobs 2`
// on a directory holding the Pipeline as synthesized YAML (so synth is not measured; the
// TypeScript entry is timed once, for information), and `make -j2 -f <generated> all` on a
// Makefile of phony targets with the same prerequisites. Every job's recipe is `true`; the
// counts are checked (make echoes each recipe; kayci prints one "✓ succeeded" per job). Reps
// alternate kayci and make; the table shows medians. The workspace (where kayci writes
// .kayci/runs/<run>/<job>.log) lives under --out-base, by default tmpfs (/dev/shm).
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlannerMeasurement } from './planner.ts';
import { formatRunProfile, summarizeRunProfile } from './profile.ts';
import { dag, edgeCount, entrySource, makefile, pipelineYaml, SHAPE_HELP, SHAPES, type Shape } from './shape.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const JOBS = 1000;
const LAYERS = 10;
const PLANNER_NODES = 10_000;
const TARGET: Record<Shape, number> = { wide: 1.5, chain: 2, layered: 1.5 };
const PLANNER_TARGET_US = 20;

interface Options {
  outBase: string;
  reps: number;
  parallel: number;
  shapes: Shape[];
  kayci: string;
  profile: 'auto' | 'always' | 'never';
  entry: boolean;
  planner: boolean;
  keep: boolean;
}

function usage(): never {
  process.stderr.write(
    'usage: node test/bench/runner/run.ts [--out-base DIR] [--reps N] [--jobs N] [--shapes wide,chain,layered]\n' +
      '         [--kayci PATH/TO/kayci.js] [--profile | --no-profile] [--no-entry] [--no-planner] [--quick] [--keep]\n',
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    outBase: defaultOutBase(),
    reps: 3,
    parallel: 2,
    shapes: [...SHAPES],
    kayci: path.join(ROOT, 'bin', 'kayci.js'),
    profile: 'auto',
    entry: true,
    planner: true,
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? usage();
    if (a === '--out-base') o.outBase = path.resolve(value());
    else if (a === '--reps') o.reps = Number(value());
    else if (a === '--jobs') o.parallel = Number(value());
    else if (a === '--shapes') o.shapes = value().split(',') as Shape[];
    else if (a === '--kayci') o.kayci = path.resolve(value());
    else if (a === '--profile') o.profile = 'always';
    else if (a === '--no-profile') o.profile = 'never';
    else if (a === '--no-entry') o.entry = false;
    else if (a === '--no-planner') o.planner = false;
    else if (a === '--quick') {
      o.reps = 1;
      o.entry = false;
    } else if (a === '--keep') o.keep = true;
    else usage();
  }
  if (!Number.isInteger(o.reps) || o.reps < 1 || !Number.isInteger(o.parallel) || o.parallel < 1) usage();
  if (o.shapes.some((s) => !SHAPES.includes(s))) usage();
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

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const spread = (xs: number[]) => (xs.length > 1 ? ` (${ms(Math.min(...xs))}–${ms(Math.max(...xs))})` : '');
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

interface Timed {
  readonly ms: number;
  readonly stdout: string;
}

/** Wall time of a whole process, stdout to a file (read back for the count), stderr kept. */
function timeProcess(cmd: string, args: string[], cwd: string, outFile: string): Timed {
  const fd = openSync(outFile, 'w');
  let r: ReturnType<typeof spawnSync>;
  const start = performance.now();
  try {
    r = spawnSync(cmd, args, { cwd, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  } finally {
    closeSync(fd);
  }
  const elapsed = performance.now() - start;
  const stdout = readFileSync(outFile, 'utf8');
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? r.status}):\n${String(r.stderr)}\n${stdout.slice(-2000)}`);
  return { ms: elapsed, stdout };
}

const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0;

interface Side {
  readonly name: 'kayci' | 'make';
  run(shape: Shape): number;
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const log = (line = '') => process.stdout.write(`${line}\n`);
  const node = process.execPath;

  mkdirSync(opts.outBase, { recursive: true });
  const work = mkdtempSync(path.join(opts.outBase, 'kayci-bench-runner-'));
  // TypeScript entries live inside the package so that `import … from 'kayci'` resolves.
  const entryDir = path.join(HERE, '.tmp');
  const cleanup = () => {
    if (opts.keep) return;
    rmSync(work, { recursive: true, force: true });
    rmSync(entryDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  try {
    // Inputs: per shape, a directory with the Pipeline YAML, a Makefile, and a workspace.
    const dirs = new Map<Shape, { yaml: string; makefile: string; ws: string }>();
    for (const shape of opts.shapes) {
      const d = dag(shape, JOBS, LAYERS);
      const yaml = path.join(work, shape, 'dist');
      const ws = path.join(work, shape, 'ws');
      mkdirSync(yaml, { recursive: true });
      mkdirSync(ws, { recursive: true });
      writeFileSync(path.join(yaml, `bench-${shape}.k8s.yaml`), pipelineYaml(d));
      const mk = path.join(work, shape, 'Makefile');
      writeFileSync(mk, makefile(d));
      dirs.set(shape, { yaml, makefile: mk, ws });
    }

    const make = spawnSync('make', ['--version'], { encoding: 'utf8' });
    log(`kayci runner benchmark: ${JOBS} jobs running \`true\`, kayci run --jobs ${opts.parallel} vs make -j${opts.parallel}`);
    log(`node ${process.versions.node}, ${os.cpus().length} CPUs (load average ${os.loadavg()[0]!.toFixed(1)} at start), ${(make.stdout ?? '').split('\n')[0] || 'make: not found'}; workspace under ${opts.outBase}`);
    log(`kayci: ${path.relative(process.cwd(), opts.kayci) || opts.kayci} run <dir of *.k8s.yaml> --jobs ${opts.parallel}; make: make -j${opts.parallel} -f <Makefile> all (phony targets)`);
    for (const shape of opts.shapes) {
      const d = dag(shape, JOBS, LAYERS);
      log(`  ${shape.padEnd(8)} ${SHAPE_HELP[shape]}: ${d.names.length} jobs, ${edgeCount(d)} edges`);
    }
    log(`times are medians of ${opts.reps} rep(s), kayci and make alternating, after one warm-up each; ranges are min–max\n`);

    const outFile = path.join(work, 'stdout.txt');
    const kayci: Side = {
      name: 'kayci',
      run(shape) {
        const { yaml, ws } = dirs.get(shape)!;
        const t = timeProcess(node, [opts.kayci, 'run', yaml, '--jobs', String(opts.parallel)], ws, outFile);
        const ok = count(t.stdout, /✓ succeeded/g);
        if (ok !== JOBS) throw new Error(`kayci ran ${ok} jobs of ${JOBS} for ${shape}`);
        rmSync(path.join(ws, '.kayci'), { recursive: true, force: true });
        return t.ms;
      },
    };
    const makeSide: Side = {
      name: 'make',
      run(shape) {
        const { makefile: mk, ws } = dirs.get(shape)!;
        const t = timeProcess('make', [`-j${opts.parallel}`, '-f', mk, 'all'], ws, outFile);
        const ran = count(t.stdout, /^true$/gm);
        if (ran !== JOBS) throw new Error(`make ran ${ran} recipes of ${JOBS} for ${shape}`);
        return t.ms;
      },
    };

    // Warm-up: file caches, Node's compile cache, make's binary.
    kayci.run(opts.shapes[0]!);
    makeSide.run(opts.shapes[0]!);

    const times = new Map<string, number[]>();
    const key = (side: string, shape: Shape) => `${side}@${shape}`;
    for (let rep = 0; rep < opts.reps; rep++) {
      for (const shape of opts.shapes) {
        for (const side of [kayci, makeSide]) {
          const k = key(side.name, shape);
          times.set(k, [...(times.get(k) ?? []), side.run(shape)]);
        }
      }
    }
    // Startup alone: the same command with --dry-run loads, validates and plans, runs nothing.
    const startup = new Map<Shape, number>();
    for (const shape of opts.shapes) {
      const { yaml, ws } = dirs.get(shape)!;
      startup.set(shape, median([0, 1, 2].map(() => timeProcess(node, [opts.kayci, 'run', yaml, '--dry-run'], ws, outFile).ms)));
    }

    const header = `${'shape'.padEnd(8)} │ ${'kayci ms'.padStart(20)} │ ${'make ms'.padStart(20)} │ ${'ratio'.padStart(6)} │ ${'target'.padStart(6)} │ ${'verdict'.padStart(7)} │ ${'kayci startup ms'.padStart(16)} │ ${'µs/job kayci·make'.padStart(18)}`;
    log(header);
    log('─'.repeat(header.length));
    const ratios = new Map<Shape, number>();
    for (const shape of opts.shapes) {
      const k = times.get(key('kayci', shape))!;
      const m = times.get(key('make', shape))!;
      const ratio = median(k) / median(m);
      ratios.set(shape, ratio);
      const perJob = `${(((median(k) - startup.get(shape)!) * 1000) / JOBS).toFixed(0)} · ${((median(m) * 1000) / JOBS).toFixed(0)}`;
      log(
        `${shape.padEnd(8)} │ ${`${ms(median(k))}${spread(k)}`.padStart(20)} │ ${`${ms(median(m))}${spread(m)}`.padStart(20)} │ ${`${ratio.toFixed(2)}×`.padStart(6)} │ ${`≤ ${TARGET[shape]}×`.padStart(6)} │ ${verdict(ratio <= TARGET[shape]).padStart(7)} │ ${ms(startup.get(shape)!).padStart(16)} │ ${perJob.padStart(18)}`,
      );
    }
    log('kayci startup: the same command with --dry-run (load YAML, validate, plan; no job runs).');
    log('µs/job: kayci (wall − startup) ÷ jobs, make wall ÷ jobs.');

    if (opts.entry) {
      log();
      log('from a TypeScript entry (synth in memory, then the same run), once each, for information');
      mkdirSync(entryDir, { recursive: true });
      for (const shape of opts.shapes) {
        const entry = path.join(entryDir, shape, 'kayci.ts');
        mkdirSync(path.dirname(entry), { recursive: true });
        writeFileSync(entry, entrySource(shape, JOBS, LAYERS));
        const { ws } = dirs.get(shape)!;
        const t = timeProcess(node, [opts.kayci, 'run', entry, '--jobs', String(opts.parallel), '--workspace', ws], ws, outFile);
        const ok = count(t.stdout, /✓ succeeded/g);
        if (ok !== JOBS) throw new Error(`kayci ran ${ok} jobs of ${JOBS} from the entry for ${shape}`);
        rmSync(path.join(ws, '.kayci'), { recursive: true, force: true });
        const yamlMs = median(times.get(key('kayci', shape))!);
        log(`  ${shape.padEnd(8)} ${ms(t.ms).padStart(7)} ms  (YAML input: ${ms(yamlMs)} ms; entry − YAML: ${ms(t.ms - yamlMs)} ms)`);
      }
    }

    let plannerOk: boolean | undefined;
    if (opts.planner) {
      log();
      log(`planner alone: PlanEngine over a whole simulated run of ${PLANNER_NODES.toLocaleString('en')} nodes (snapshot, engine, every take/observe, runStatus)`);
      log('  batch: take() all ready, observe Running, observe Succeeded; jobs2: the runner\'s loop at --jobs 2');
      log('  cold: first run in a fresh process (median of 3 processes); warm: median of 5 more runs per process');
      const ph = `  ${'shape'.padEnd(8)} │ ${'edges'.padStart(7)} │ ${'batch cold'.padStart(10)} │ ${'warm'.padStart(6)} │ ${'jobs2 cold'.padStart(10)} │ ${'warm'.padStart(6)} │ ${'verdict'.padStart(7)} │ ${'new engine ms'.padStart(13)} │ plan() ms at start · half · end`;
      log(ph);
      log(`  ${'─'.repeat(ph.length - 2)}`);
      const plannerVerdicts: boolean[] = [];
      for (const shape of SHAPES) {
        const ms3: PlannerMeasurement[] = [0, 1, 2].map(() => {
          const r = spawnSync(node, [path.join(HERE, 'planner.ts'), shape, String(PLANNER_NODES), '5'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
          if (r.status !== 0) throw new Error(`planner ${shape} failed:\n${r.stderr}`);
          return JSON.parse(r.stdout.trim().split('\n').pop()!) as PlannerMeasurement;
        });
        const coldB = median(ms3.map((m) => m.cold.batch));
        const coldJ = median(ms3.map((m) => m.cold.jobs2));
        const warmB = median(ms3.flatMap((m) => m.warm.batch));
        const warmJ = median(ms3.flatMap((m) => m.warm.jobs2));
        const ok = Math.max(coldB, coldJ) <= PLANNER_TARGET_US;
        plannerVerdicts.push(ok);
        const us = (x: number) => `${x.toFixed(1)} µs`;
        const p = (f: (m: PlannerMeasurement) => number) => ms(median(ms3.map(f)));
        log(
          `  ${shape.padEnd(8)} │ ${String(ms3[0]!.edges).padStart(7)} │ ${us(coldB).padStart(10)} │ ${us(warmB).padStart(6)} │ ${us(coldJ).padStart(10)} │ ${us(warmJ).padStart(6)} │ ${verdict(ok).padStart(7)} │ ${p((m) => m.construct).padStart(13)} │ ${p((m) => m.plan.start)} · ${p((m) => m.plan.half)} · ${p((m) => m.plan.end)}`,
        );
      }
      log(`  verdict: the slower cold drive ≤ ${PLANNER_TARGET_US} µs per node. plan(): the controller's from-scratch call on the Run with its last`);
      log('  status and every Job observed so far (start: none; half: 5,000 final; end: all final, final status not yet written).');
      plannerOk = plannerVerdicts.every(Boolean);
    }

    log();
    for (const shape of opts.shapes) {
      const r = ratios.get(shape)!;
      log(`${verdict(r <= TARGET[shape])}  ${shape}: kayci ${r.toFixed(2)}× make (target ≤ ${TARGET[shape]}×)`);
    }
    if (plannerOk !== undefined) {
      log(`${verdict(plannerOk)}  planner: ≤ ${PLANNER_TARGET_US} µs per node on ${PLANNER_NODES.toLocaleString('en')}-node DAGs (every shape, cold)`);
    }

    const missed = opts.shapes.filter((s) => ratios.get(s)! > TARGET[s]);
    const toProfile = opts.profile === 'always' ? opts.shapes : opts.profile === 'auto' ? missed : [];
    for (const shape of toProfile) {
      const { yaml, ws } = dirs.get(shape)!;
      const profDir = path.join(work, 'profiles', shape);
      timeProcess(node, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=250', opts.kayci, 'run', yaml, '--jobs', String(opts.parallel)], ws, outFile);
      rmSync(path.join(ws, '.kayci'), { recursive: true, force: true });
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))!;
      log();
      log(formatRunProfile(summarizeRunProfile(path.join(profDir, file)), JOBS, `profile of kayci run, ${shape}`));
      if (opts.keep) log(`  profile kept: ${path.join(profDir, file)} (open it in Chrome DevTools)`);
    }

    log();
    log(`load average ${os.loadavg()[0]!.toFixed(1)} at the end; a busy machine inflates both sides, and the ratios less than the times`);
    log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s${opts.keep ? `; kept ${work}${opts.entry ? ` and ${entryDir}` : ''}` : ''}`);
  } finally {
    cleanup();
  }
}

if (!existsSync(path.join(ROOT, 'node_modules', 'yaml'))) {
  process.stderr.write('run `npm ci` first\n');
  process.exit(1);
}
main();
