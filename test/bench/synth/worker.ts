// One measurement of the synth benchmark, in a process of its own so that no run inherits
// another's heap (each kayci synth imports a fresh bundle, which stays in the module cache).
// run.ts starts it as:
//
//   node --expose-gc worker.ts measure <kayci|chart-per-pipeline|one-chart> <n> <reps> <entry> <workdir>
//   node --expose-gc worker.ts phases <n> <reps> <entry> <workdir>
//
// and reads one JSON line from stdout. Every rep writes into a fresh, empty directory, as a CI
// job does; the directory is removed afterwards, outside the timed part. One warm-up run first.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { synth, writeFiles } from '../../../src/synth/index.ts';
import { peerSample, peerSynth, type PeerLayout } from './peer.ts';
import { PHASES, synthPhases, type Phase } from './phases.ts';

export type Side = 'kayci' | PeerLayout;

export interface Measurement {
  /** Milliseconds of each timed rep (the warm-up is not included). */
  readonly times: number[];
  /** Files and bytes the side wrote. */
  readonly files: number;
  readonly bytes: number;
  /** The first Pipeline object, as JSON. */
  readonly sample: string;
}

export interface PhaseMeasurement {
  readonly phases: Record<Phase, number[]>;
  readonly totals: number[];
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

async function once(side: Side, n: number, entry: string, outdir: string): Promise<{ ms: number; sample?: string }> {
  gc();
  const start = performance.now();
  let sample: string | undefined;
  if (side === 'kayci') {
    const result = await synth({ entry });
    writeFiles(outdir, result.files);
    sample = JSON.stringify(result.pipelines[0]!.documents[0]);
  } else {
    peerSynth(n, side, outdir);
  }
  return { ms: performance.now() - start, sample };
}

function dirSize(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.yaml')) continue;
    files++;
    bytes += statSync(path.join(dir, name)).size;
  }
  return { files, bytes };
}

async function measure(side: Side, n: number, reps: number, entry: string, workdir: string): Promise<Measurement> {
  const times: number[] = [];
  let size = { files: 0, bytes: 0 };
  let sample = side === 'kayci' ? '' : peerSample();
  for (let rep = 0; rep <= reps; rep++) {
    const outdir = path.join(workdir, `${side}-${n}-${rep}`);
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(workdir, { recursive: true });
    const r = await once(side, n, entry, outdir);
    if (rep > 0) times.push(r.ms);
    size = dirSize(outdir);
    sample = r.sample ?? sample;
    rmSync(outdir, { recursive: true, force: true });
  }
  return { times, ...size, sample };
}

async function phases(n: number, reps: number, entry: string, workdir: string): Promise<PhaseMeasurement> {
  const result: PhaseMeasurement = { phases: Object.fromEntries(PHASES.map((p) => [p, []])) as unknown as Record<Phase, number[]>, totals: [] };
  for (let rep = 0; rep <= reps; rep++) {
    const outdir = path.join(workdir, `phases-${n}-${rep}`);
    rmSync(outdir, { recursive: true, force: true });
    gc();
    const start = performance.now();
    const t = await synthPhases(entry, outdir);
    const total = performance.now() - start;
    rmSync(outdir, { recursive: true, force: true });
    if (rep === 0) continue;
    for (const p of PHASES) result.phases[p].push(t[p]);
    result.totals.push(total);
  }
  return result;
}

const [mode, ...args] = process.argv.slice(2);
let out: unknown;
if (mode === 'measure') {
  const [side, n, reps, entry, workdir] = args as [Side, string, string, string, string];
  out = await measure(side, Number(n), Number(reps), entry, workdir);
} else if (mode === 'phases') {
  const [n, reps, entry, workdir] = args as [string, string, string, string];
  out = await phases(Number(n), Number(reps), entry, workdir);
} else {
  process.stderr.write('usage: worker.ts measure <side> <n> <reps> <entry> <workdir> | phases <n> <reps> <entry> <workdir>\n');
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(out)}\n`);
