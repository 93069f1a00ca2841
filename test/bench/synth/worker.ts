// The measuring side of the synth benchmark, in a process of its own so that no side inherits
// another's heap (each kayci synth imports a fresh bundle, which stays in the module cache).
// run.ts starts one per side and size and interleaves their reps, so that load from elsewhere
// on the machine hits every side alike:
//
//   fork: worker.ts serve <kayci|chart-per-pipeline|one-chart> <n> <entry> <workdir>
//         runs a warm-up, sends {ready}, then answers each 'rep' message with a Rep
//   node --expose-gc worker.ts phases <n> <reps> <entry> <workdir>
//         prints one JSON line: kayci's time per phase (phases.ts)
//
// Every rep writes into a fresh, empty directory, as a CI job does; the directory is removed
// afterwards, outside the timed part.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { synth, writeFiles } from '../../../src/synth/index.ts';
import { peerSample, peerSynth, type PeerLayout } from './peer.ts';
import { PHASES, synthPhases, type Phase } from './phases.ts';

export type Side = 'kayci' | PeerLayout;

export interface Rep {
  /** Milliseconds of synth + write. */
  readonly ms: number;
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
  if (side === 'kayci') {
    const result = await synth({ entry });
    writeFiles(outdir, result.files);
    const ms = performance.now() - start;
    return { ms, sample: JSON.stringify(result.pipelines[0]!.documents[0]) };
  }
  peerSynth(n, side, outdir);
  return { ms: performance.now() - start };
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

async function rep(side: Side, n: number, entry: string, workdir: string, index: number): Promise<Rep> {
  const outdir = path.join(workdir, `${side}-${n}-${index}`);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(workdir, { recursive: true });
  try {
    const r = await once(side, n, entry, outdir);
    return { ms: r.ms, ...dirSize(outdir), sample: r.sample ?? peerSample() };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function serve(side: Side, n: number, entry: string, workdir: string): Promise<void> {
  const send = (m: unknown) => new Promise<void>((resolve, reject) => process.send!(m, (e: Error | null) => (e ? reject(e) : resolve())));
  await rep(side, n, entry, workdir, 0);
  let index = 0;
  process.on('message', (m) => {
    if (m === 'rep') {
      rep(side, n, entry, workdir, ++index).then(send, (e: unknown) => {
        process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
        process.exit(1);
      });
    } else {
      process.disconnect();
    }
  });
  await send('ready');
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
if (mode === 'serve' && process.send) {
  const [side, n, entry, workdir] = args as [Side, string, string, string];
  await serve(side, Number(n), entry, workdir);
} else if (mode === 'phases') {
  const [n, reps, entry, workdir] = args as [string, string, string, string];
  process.stdout.write(`${JSON.stringify(await phases(Number(n), Number(reps), entry, workdir))}\n`);
} else {
  process.stderr.write('usage: fork worker.ts serve <side> <n> <entry> <workdir> | node worker.ts phases <n> <reps> <entry> <workdir>\n');
  process.exit(2);
}
