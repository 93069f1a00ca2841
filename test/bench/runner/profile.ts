// Reads a V8 .cpuprofile of `kayci run` (node --cpu-prof) and says where the main thread's time
// went, per job. The profile samples wall time on the main thread, so a blocking call (spawn's
// fork + wait for exec) shows as that call, and time spent waiting for children shows as idle.
// Samples are split by time into startup (before the first spawn), the run loop, and the end
// (after the last job), and loop samples are put in the first category whose rule matches.
// Used by run.ts; also runnable alone:  node profile.ts <file.cpuprofile> [jobs]
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: Frame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

type Rule = (stack: readonly Frame[]) => boolean;
const has = (name: string, file?: string): Rule => (s) => s.some((f) => f.functionName === name && (file === undefined || f.url.endsWith(file)));
const inFile = (file: string): Rule => (s) => s.some((f) => f.url.endsWith(file));
const leaf = (names: string[]): Rule => (s) => names.includes(s[0]?.functionName ?? '');
const all = (...rules: Rule[]): Rule => (s) => rules.every((r) => r(s));
const any = (...rules: Rule[]): Rule => (s) => rules.some((r) => r(s));

/** Run-loop categories, first match wins; the label says what the code is. */
export const LOOP_CATEGORIES: [string, Rule][] = [
  ['fork + exec of the job (child_process.spawn, blocks until exec)', all(has('spawnGroup'), (s) => s.some((f) => f.functionName === 'spawn' && f.url.includes('child_process') && !f.url.endsWith('.ts')))],
  ['rest of spawnGroup (argv, env → envp, pipes, listeners)', has('spawnGroup')],
  ['process-group kill after exit (killGroup, ESRCH error)', has('killGroup')],
  ['results file (write empty, read, parse, rm)', all(has('execute', 'local-backend.ts'), leaf(['writeFileSync', 'writeFileUtf8', 'readFileSync', 'readFileUtf8', 'rmSync', 'parseResults', 'open', 'close']), (s) => !s.some((f) => f.url.includes('fs/streams')))],
  ['log file (createWriteStream open/close)', any(inFile('internal/fs/streams'), has('createWriteStream'), has('line', 'local-backend.ts'))],
  ['working-dir check (statSync in host run)', all(has('run', 'host.ts'), leaf(['statSync', 'stat']))],
  ['renderJob (structuredClone, decorate)', has('renderJob')],
  ['container env (containerEnv, env object)', any(has('containerEnv'), has('run', 'host.ts'))],
  ['reporter (lines to stdout)', inFile('runner/reporter.ts')],
  ['planner engine (take/observe/finish)', inFile('plan/engine.ts')],
  ['child exit, pipe close (node internals)', any((s) => s.some((f) => /child_process|internal\/net|stream_base_commons|internal\/streams/.test(f.url)))],
  ['runner loop, backend bookkeeping', any(inFile('runner/runner.ts'), inFile('runner/local-backend.ts'), inFile('runner/executors/host.ts'))],
  ['garbage collection', leaf(['(garbage collector)'])],
  ['idle: waiting for a child to exit', leaf(['(idle)'])],
  ['other (promises, timers, program)', () => true],
];

export const STARTUP_CATEGORIES: [string, Rule][] = [
  ['read + parse YAML, validatePipeline (loadSource)', has('loadSource')],
  ['synth of a TypeScript entry', has('synth')],
  ['git metadata (localMetadata)', has('localMetadata')],
  ['validateRun', has('validateRun')],
  ['preflight (renderJob + PATH lookup per job)', has('preflight')],
  ['engine construction', inFile('plan/engine.ts')],
  ['module loading (TS type stripping, compile)', any((s) => s.some((f) => /internal\/modules|typescript|amaro|wasm/.test(f.url) || f.functionName.startsWith('wasm-function')))],
  ['garbage collection', leaf(['(garbage collector)'])],
  ['idle (waiting for git, I/O)', leaf(['(idle)'])],
  ['other', () => true],
];

export const END_CATEGORIES: [string, Rule][] = [
  ['summary table (reporter.runFinished)', has('runFinished')],
  ['runStatus + status.json', any(has('runStatus'), has('writeFileSync'))],
  ['idle', leaf(['(idle)'])],
  ['other (exit)', () => true],
];

export interface Bucket {
  readonly label: string;
  readonly ms: number;
}
export interface RunProfile {
  readonly totalMs: number;
  readonly startupMs: number;
  readonly loopMs: number;
  readonly endMs: number;
  readonly startup: Bucket[];
  readonly loop: Bucket[];
  readonly end: Bucket[];
  readonly topSelf: { name: string; where: string; ms: number }[];
}

export function summarizeRunProfile(file: string, top = 12): RunProfile {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<number, Frame[]>();
  const stackOf = (id: number): Frame[] => {
    let s = stacks.get(id);
    if (!s) {
      s = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) s.push(byId.get(at)!.callFrame);
      stacks.set(id, s);
    }
    return s;
  };
  // The first job starting: the backend's execute (by name, so a bundled build works too).
  const isSpawn = (s: Frame[]) => s.some((f) => f.functionName === 'spawnGroup' || (f.functionName === 'execute' && /local-backend\.ts|\.mjs$/.test(f.url)));
  const isJobWork = (s: Frame[]) => s.some((f) => /runner\/(local-backend|process-group)\.ts|executors\/host\.ts/.test(f.url) || (f.url.includes('child_process') && !f.url.endsWith('.ts')));
  let first = -1;
  let last = -1;
  profile.samples.forEach((id, i) => {
    const s = stackOf(id);
    if (first < 0 && isSpawn(s)) first = i;
    if (isJobWork(s)) last = i;
  });
  const buckets = (rules: [string, Rule][]) => new Map(rules.map(([label]) => [label, 0]));
  const startup = buckets(STARTUP_CATEGORIES);
  const loop = buckets(LOOP_CATEGORIES);
  const end = buckets(END_CATEGORIES);
  const self = new Map<string, { name: string; where: string; ms: number }>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const s = stackOf(id);
    const [rules, into] = i < first || first < 0 ? [STARTUP_CATEGORIES, startup] : i > last ? [END_CATEGORIES, end] : [LOOP_CATEGORIES, loop];
    const label = rules.find(([, rule]) => rule(s))![0];
    into.set(label, into.get(label)! + ms);
    if (into === loop) {
      const f = s[0]!;
      const key = `${f.functionName} ${f.url}:${f.lineNumber}`;
      const entry = self.get(key) ?? { name: f.functionName || '(anonymous)', where: `${path.basename(f.url) || f.url}:${f.lineNumber + 1}`, ms: 0 };
      entry.ms += ms;
      self.set(key, entry);
    }
  });
  const list = (m: Map<string, number>) => [...m].map(([label, ms]) => ({ label, ms }));
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    totalMs,
    startupMs: sum(startup),
    loopMs: sum(loop),
    endMs: sum(end),
    startup: list(startup),
    loop: list(loop),
    end: list(end),
    topSelf: [...self.values()].sort((a, b) => b.ms - a.ms).slice(0, top),
  };
}

export function formatRunProfile(p: RunProfile, jobs: number, title: string): string {
  const ms = (x: number) => x.toFixed(0).padStart(6);
  const us = (x: number) => ((x * 1000) / jobs).toFixed(0).padStart(6);
  const lines = [`${title}: ${ms(p.totalMs).trim()} ms sampled on the main thread (profiler overhead included)`];
  lines.push(`  startup ${ms(p.startupMs).trim()} ms (before the first spawn):`);
  for (const b of p.startup) if (b.ms >= 0.5) lines.push(`    ${ms(b.ms)} ms  ${b.label}`);
  lines.push(`  run loop ${ms(p.loopMs).trim()} ms = ${us(p.loopMs).trim()} µs per job:`);
  lines.push(`    ${'ms'.padStart(6)}     ${'µs/job'.padStart(6)}`);
  for (const b of [...p.loop].sort((a, c) => c.ms - a.ms)) if (b.ms >= 0.5) lines.push(`    ${ms(b.ms)} ms  ${us(b.ms)} µs  ${b.label}`);
  lines.push(`  end ${ms(p.endMs).trim()} ms (after the last job):`);
  for (const b of p.end) if (b.ms >= 0.5) lines.push(`    ${ms(b.ms)} ms  ${b.label}`);
  lines.push('  run loop, top self time:');
  for (const t of p.topSelf) lines.push(`    ${ms(t.ms)} ms  ${t.name} (${t.where})`);
  return lines.join('\n');
}

if (import.meta.main) {
  const [file, jobs = '1000'] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node profile.ts <file.cpuprofile> [jobs]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatRunProfile(summarizeRunProfile(file, 20), Number(jobs), path.basename(file))}\n`);
}
