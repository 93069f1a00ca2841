// Controller benchmark against the fake API server (test/harness/fake-apiserver), four sections:
//
//   throughput  Runs per minute and controller API requests per one-job Run under a 20 requests/s
//               budget (qps 20, burst 20, production settings), Runs created above capacity with
//               their snapshot as webhooks create them. Targets: ≥ 480 Runs/min, ≤ 2.5 requests
//               per Run. (Quoted for reference, not measured here: Argo Workflows' defaults sustain
//               ~270 workflows/min at that budget with ~4.4 requests per workflow.)
//   latency     A Job's Complete stored → its dependent's Job create arriving, along a chain of
//               200 jobs and along 20 chains of 10 (one Run after another), unthrottled, the fake
//               API server in a child process (as a real one: its own core); against one loopback
//               round trip measured in the same run (before and after the chains).
//               Target: p50 ≤ 3 × round trip (GET of one Job through the controller's client).
//   memory      Controller heap and RSS per cached finished Run (10,000 Runs of the go-service
//               example's 10-job Pipeline, snapshot and final status), in a child process.
//   status      Bytes per DAG node of a Run's final status (10 … 5,000 jobs), and the whole Run
//               against etcd's 1.5 MiB. Target: ≤ 150 B per node.
//
//   node test/bench/controller/run.ts [--only throughput,latency,memory,status] [--quick]
//        [--rate N] [--warmup S] [--seconds S] [--chain N] [--latency-server child|inproc|both]
//        [--runs N] [--json FILE]
//
// It prints figures and PASS/MISS and exits 0 either way: a benchmark on a shared machine is a
// measurement, not an assertion (DESIGN.md, Testing).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fmt, percentile, ROOT, table, verdict } from './common.ts';
import { measureLatency, type LatencyResult } from './latency.ts';
import { measureMemory, type MemoryResult } from './memory.ts';
import { compactPerNode, ETCD_LIMIT, measureStatusSizes, type StatusSizeRow } from './status-size.ts';
import { measureThroughput, type ThroughputResult } from './throughput.ts';

const SECTIONS = ['throughput', 'latency', 'memory', 'status'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  only: Section[];
  rate: number;
  warmup: number;
  seconds: number;
  chain: number;
  shortChain: number;
  shortChains: number;
  latencyServer: ('child' | 'inproc')[];
  runs: number;
  json?: string;
}

function usage(): never {
  process.stderr.write('usage: node test/bench/controller/run.ts [--only throughput,latency,memory,status] [--quick] [--rate N] [--warmup S] [--seconds S] [--chain N] [--latency-server child|inproc|both] [--runs N] [--json FILE]\n');
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { only: [...SECTIONS], rate: 12, warmup: 15, seconds: 60, chain: 200, shortChain: 10, shortChains: 20, latencyServer: ['child'], runs: 10_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? usage();
    if (a === '--only') {
      o.only = value().split(',') as Section[];
      if (!o.only.every((s) => SECTIONS.includes(s))) usage();
    } else if (a === '--quick') Object.assign(o, { warmup: 5, seconds: 20, chain: 100, shortChains: 10, runs: 2000 });
    else if (a === '--rate') o.rate = Number(value());
    else if (a === '--warmup') o.warmup = Number(value());
    else if (a === '--seconds') o.seconds = Number(value());
    else if (a === '--chain') o.chain = Number(value());
    else if (a === '--runs') o.runs = Number(value());
    else if (a === '--json') o.json = value();
    else if (a === '--latency-server') {
      const v = value();
      o.latencyServer = v === 'both' ? ['child', 'inproc'] : v === 'child' || v === 'inproc' ? [v] : usage();
    } else usage();
  }
  return o;
}

const TARGET = { runsPerMinute: 480, requestsPerRun: 2.5, latencyRatio: 3, bytesPerNode: 150 };
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const ms = (x: number) => `${fmt(x, 2)} ms`;
const p3 = (xs: number[]) => [50, 90, 99].map((p) => fmt(percentile(xs, p), 2)).join(' / ');

const o = parseArgs(process.argv.slice(2));
const log = (s = '') => process.stdout.write(`${s}\n`);
const summary: string[][] = [['target', 'measured', 'goal', '']];
const results: Record<string, unknown> = {};

/** The code measured: a commit, and how many files under src/ differ from it (others edit concurrently). */
function tree(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean).length;
    return `${head}${dirty ? ` + ${dirty} changed file${dirty === 1 ? '' : 's'} under src/` : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

log(`controller benchmark — node ${process.version}, ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, tree ${tree()}`);

if (o.only.includes('throughput')) {
  log(`\n== 1. throughput: one-job Runs, qps 20 / burst 20, deferRunningMs 1000, created at ${o.rate}/s (${o.rate * 60}/min) for ${o.warmup} s warm-up + ${o.seconds} s measured`);
  log('   Pipeline retention: succeeded/failed 1,000,000 — retention deletes nothing during the measurement (DELETEs counted below).');
  const r: ThroughputResult = await measureThroughput({ rate: o.rate, warmupS: o.warmup, measureS: o.seconds, qps: 20, burst: 20, podStartMs: 20, podRunMs: 100, drainTimeoutS: 180 });
  results.throughput = r;
  log(table([
    ['', 'value'],
    ['Runs created (whole experiment)', String(r.created)],
    ['Runs finished in the window', String(r.finished)],
    ['Runs finished/min', fmt(r.runsPerMinute)],
    ['Runs started/min (Job creates in the window)', fmt(((r.breakdown.find(([k]) => k === 'create jobs.batch')?.[1] ?? 0) * r.finished) / (o.seconds / 60))],
    ['controller requests in the window', String(r.requests)],
    ['controller requests/s', fmt(r.requestsPerSecond, 2)],
    ['requests per finished Run (window)', fmt(r.requestsPerRun, 2)],
    [`requests per Run, drained (${r.drained.runs} Runs, drain ${fmt(r.drained.seconds)} s${r.drained.complete ? '' : ', INCOMPLETE'})`, fmt(r.drained.requestsPerRun, 2)],
    ['Runs/min the budget allows at the drained cost (20 ÷ it × 60)', fmt((20 / r.drained.requestsPerRun) * 60)],
    ['backlog when creation stopped (Runs not finished)', String(r.backlog)],
    ['phases when creation stopped', Object.entries(r.phases).map(([k, v]) => `${k} ${v}`).join(', ')],
    ['Run created → finished p50 / p90 (window)', `${fmt(r.latency.p50, 2)} s / ${fmt(r.latency.p90, 2)} s`],
    ['"Running" status writes (whole experiment)', String(r.runningWrites)],
    ['controller DELETEs (whole experiment)', String(r.deletes)],
    ['controller warnings/errors logged', String(r.problems.count)],
  ]));
  log('\n   requests per finished Run, by verb and resource (window; →code: answered with that error):');
  log(table([['verb resource', 'per Run'], ...r.breakdown.map(([k, v]) => [k, fmt(v, 3)])]));
  for (const p of r.problems.first) log(`   log: ${p}`);
  summary.push(['1. Runs/min at 20 req/s', fmt(r.runsPerMinute), `≥ ${TARGET.runsPerMinute}`, verdict(r.runsPerMinute >= TARGET.runsPerMinute)]);
  summary.push(['1. requests per one-job Run', fmt(r.requestsPerRun, 2), `≤ ${TARGET.requestsPerRun}`, verdict(r.requestsPerRun <= TARGET.requestsPerRun)]);
  summary.push(['1. requests per Run, all Runs drained (info)', fmt(r.drained.requestsPerRun, 2), `≤ ${TARGET.requestsPerRun}`, verdict(r.drained.requestsPerRun <= TARGET.requestsPerRun)]);
}

if (o.only.includes('latency')) {
  const shapes = [{ chain: o.chain, runs: 1 }, { chain: o.shortChain, runs: o.shortChains }];
  for (const server of o.latencyServer) {
    for (const shape of shapes) {
      const what = shape.runs === 1 ? `a chain of ${shape.chain} jobs` : `${shape.runs} chains of ${shape.chain} jobs, one after another`;
      log(`\n== 2. latency: ${what}, unthrottled, fake API server ${server === 'child' ? 'in a child process' : 'in the controller\'s process'}; pods 5 ms pending + 50 ms running`);
      const r: LatencyResult = await measureLatency({ ...shape, podStartMs: 5, podRunMs: 50, rtts: 200, server });
      results[`latency-${server}-${shape.runs}x${shape.chain}`] = r;
      const ratio = percentile(r.latencies, 50) / r.rtt.client;
      log(table([
        ['ms', 'p50 / p90 / p99'],
        [`Complete stored → dependent's create arrives (n=${r.latencies.length})`, p3(r.latencies)],
        ['  watch: → controller informer emits the update', p3(r.stages.watch)],
        ['  queue: → Run reconcile starts', p3(r.stages.queue)],
        ['  plan:  → reconciler calls client.create', p3(r.stages.plan)],
        ['  send:  → create request arrives at the server', p3(r.stages.send)],
        ['    client: → undici writes its headers to a socket', p3(r.stages.client)],
        ['    wire:   → the server starts handling it', p3(r.stages.wire)],
        ['loopback round trip: GET via KubeClient (median, p90)', `${fmt(r.rtt.client, 3)}, ${fmt(r.rtt.clientP90, 3)}`],
        ['loopback round trip: GET via bare node:http keep-alive (median, p90)', `${fmt(r.rtt.bare, 3)}, ${fmt(r.rtt.bareP90, 3)}`],
        [`  the same at the chain's pace, one GET per ${r.options.podStartMs + r.options.podRunMs} ms (median: client, bare)`, `${fmt(r.rtt.clientPaced, 3)}, ${fmt(r.rtt.barePaced, 3)}`],
      ]));
      log(`   p50 / round trip: ${fmt(ratio, 1)}× (bare: ${fmt(percentile(r.latencies, 50) / r.rtt.bare, 1)}×; at the chain's pace: ${fmt(percentile(r.latencies, 50) / r.rtt.clientPaced, 1)}×). ${r.phase} in ${fmt(r.seconds, 1)} s; ${r.reconciles} Run reconciles, ${r.statusWrites} status writes (${r.conflicts} answered 409), ${r.busyAtEvent} completions arrived while the Run was being reconciled; ${r.connections} connections opened by the controller's process.`);
      summary.push([`2. latency p50 / round trip, ${shape.runs}×${shape.chain}${server === 'inproc' ? ' (server in-process)' : ''}`, `${ms(percentile(r.latencies, 50))} / ${ms(r.rtt.client)} = ${fmt(ratio, 1)}×`, `≤ ${TARGET.latencyRatio}×`, verdict(ratio <= TARGET.latencyRatio)]);
      const paced = percentile(r.latencies, 50) / r.rtt.clientPaced;
      summary.push([`2. (info) the same / round trip at the chain's pace`, `${ms(percentile(r.latencies, 50))} / ${ms(r.rtt.clientPaced)} = ${fmt(paced, 1)}×`, `≤ ${TARGET.latencyRatio}×`, 'info']);
    }
  }
}

if (o.only.includes('memory')) {
  log(`\n== 3. memory: ${o.runs} finished Runs of the go-service Pipeline (10 jobs) cached by a controller in a child process`);
  const r: MemoryResult = await measureMemory(o.runs);
  results.memory = r;
  log(table([
    ['', 'value'],
    ['one Run as JSON (snapshot + status)', kb(r.runJsonBytes)],
    ['seeding the fake server', `${fmt(r.seedSeconds, 1)} s`],
    ['caches synced in (list of every Run)', `${fmt(r.full.syncedMs / 1000, 2)} s`],
    ['controller heap used: no Runs / with Runs', `${mb(r.empty.after.heapUsed)} / ${mb(r.full.after.heapUsed)}`],
    ['controller RSS: no Runs / with Runs (peak)', `${mb(r.empty.after.rss)} / ${mb(r.full.after.rss)} (${mb(r.full.peakRss)})`],
    ['heap used per cached Run', kb(r.perRun.heapUsed)],
    ['RSS per cached Run', kb(r.perRun.rss)],
    ['heap per Run if finished Runs were cached without their snapshot (what-if)', kb(r.perRun.heapWithoutSnapshot)],
  ]));
  summary.push([`3. heap / RSS per cached Run (${o.runs})`, `${kb(r.perRun.heapUsed)} / ${kb(r.perRun.rss)}`, 'report', '—']);
}

if (o.only.includes('status')) {
  log('\n== 4. Run status size: final status, all jobs succeeded (every 10th with results, image jobs a digest; 1 in 37 retried)');
  const rows: StatusSizeRow[] = measureStatusSizes([10, 100, 1000, 5000]);
  results.status = rows;
  log(table([
    ['jobs', 'status', 'B/node', 'snapshot (typical / minimal)', 'whole Run (typical / minimal)', 'managedFields est. B/node'],
    ...rows.map((r) => [String(r.nodes), kb(r.statusBytes), fmt(r.perNode, 0), `${kb(r.snapshotBytes.typical)} / ${kb(r.snapshotBytes.minimal)}`, `${kb(r.runBytes.typical)} / ${kb(r.runBytes.minimal)}`, fmt(r.managedFieldsPerNode, 0)]),
  ]));
  const big = rows.at(-1)!;
  log(`   per node at ${big.nodes} jobs, by field: ${big.fields.map(([k, v]) => `${k} ${fmt(v, 0)}`).join(', ')}`);
  log(`   ${big.nodes} jobs vs etcd ${mb(ETCD_LIMIT)}: status ${mb(big.statusBytes)} (${fmt((100 * big.statusBytes) / ETCD_LIMIT, 0)}%); Run with snapshot ${mb(big.runBytes.typical)} typical, ${mb(big.runBytes.minimal)} minimal templates; plus ~${mb(big.managedFieldsPerNode * big.nodes)} managedFields for status.jobs (estimate)`);
  log(`   what-if (not made): without jobName (derivable, but read: test/cluster/runs.test.ts) ${fmt(big.whatIf.withoutJobName, 0)} B/node; and attempts left out when 1 (absent meaning 1) ${fmt(big.whatIf.alsoWithoutDefaultAttempts, 0)} B/node`);
  log(`   compact form (no jobName, times as seconds from status.startTime, attempts only when ≠ 1, phase as a letter): ${fmt(compactPerNode(1000), 0)} B/node`);
  summary.push(['4. status bytes per node', fmt(big.perNode, 0), `≤ ${TARGET.bytesPerNode}`, verdict(big.perNode <= TARGET.bytesPerNode)]);
  summary.push([`4. ${big.nodes}-job Run (snapshot + status) vs 1.5 MiB`, `${mb(big.runBytes.typical)} / ${mb(big.runBytes.minimal)}`, '≤ 1.5 MiB', verdict(big.runBytes.minimal <= ETCD_LIMIT)]);
}

log('\n== summary');
log(table(summary));
if (o.json) writeFileSync(o.json, JSON.stringify(results, null, 1));
process.exit(0);
