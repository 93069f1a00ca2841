// Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: inclusive time of the
// functions that make up kayci's synth, and the functions with the most self time. Used by
// run.ts --profile; also runnable alone:  node profile.ts <file.cpuprofile>
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Functions whose inclusive time the report lists, with what they stand for. Names are matched
 * exactly against V8's function names (the bundle is not minified, so they survive).
 */
export const FOCUS: [string, string][] = [
  ['bundleEntry', 'esbuild bundle'],
  ['renderPipeline', 'render one pipeline (everything below)'],
  ['toJson', '  cdk8s ApiObject.toJson: Lazy → _toSpec, resolve, sort keys'],
  ['_toSpec', '    Pipeline._toSpec (kayci rendering of jobs)'],
  ['resolve', '    cdk8s resolve (token resolution, key sorting)'],
  ['validatePipeline', '  validatePipeline (api, shared with the controller)'],
  ['validateObject', '    schema check against the CRD (validateObject)'],
  ['validatePipelineSpec', '    semantic checks (needs, cycles, refs, templates)'],
  ['validateJobTemplate', '      validateJobTemplate'],
  ['mapPipelineErrors', '  mapPipelineErrors'],
  ['crossPipelineNeeds', '  crossPipelineNeeds'],
  ['userValidations', '  userValidations (node.validate on every construct)'],
  ['inConstructOrder', '  inConstructOrder (findAll + sort)'],
  ['findAll', '  constructs Node.findAll (anywhere)'],
  ['toYaml', 'toYaml'],
  ['stringify', '  yaml stringify'],
  ['writeFiles', 'writeFiles'],
];

export interface ProfileSummary {
  readonly totalMs: number;
  readonly focus: { name: string; label: string; ms: number }[];
  readonly topSelf: { name: string; where: string; ms: number }[];
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const focusNames = new Set(FOCUS.map(([name]) => name));
  const inclusive = new Map<string, number>();
  const self = new Map<string, { where: string; ms: number }>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') return;
    totalMs += ms;
    const key = `${functionName || '(anonymous)'} ${url}:${lineNumber}`;
    const s = self.get(key) ?? { where: `${path.basename(url) || url}:${lineNumber + 1}`, ms: 0 };
    s.ms += ms;
    self.set(key, s);
    // Each focus function counts once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)!.callFrame.functionName;
      if (focusNames.has(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
      }
    }
  });
  return {
    totalMs,
    focus: FOCUS.map(([name, label]) => ({ name, label, ms: inclusive.get(name) ?? 0 })),
    topSelf: [...self.entries()]
      .map(([key, s]) => ({ name: key.split(' ')[0]!, where: s.where, ms: s.ms }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
  };
}

export function formatProfile(s: ProfileSummary, reps: number): string {
  const per = (ms: number) => (ms / reps).toFixed(0).padStart(6);
  const lines = [`CPU profile, ms per synth (${reps} synths sampled, ${per(s.totalMs).trim()} ms busy each):`];
  for (const f of s.focus) lines.push(`  ${per(f.ms)}  ${f.label}`);
  lines.push('  top self time:');
  for (const t of s.topSelf) lines.push(`  ${per(t.ms)}  ${t.name} (${t.where})`);
  return lines.join('\n');
}

if (import.meta.main) {
  const [file, reps = '1'] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node profile.ts <file.cpuprofile> [synths]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatProfile(summarizeProfile(file, 25), Number(reps))}\n`);
}
