// Webhook benchmark: a signed GitHub push (a real @octokit/webhooks-examples payload) → the Run
// created (the 201) → the Run's first Job created, against the fake API server in a child process
// (its own core, as a real API server), the controller (webhook endpoint included) in this one.
//
//   paced       deliveries one at a time, every --gap ms (light load): p50 and p99 of
//               webhook → first Job create arriving at the server, as ratios of one loopback
//               round trip measured in the same run (a GET through the controller's client).
//               Targets: p50 ≤ 4×, p99 ≤ 5×.
//   concurrent  --concurrency senders (32) each sending back to back, --deliveries in all:
//               p99.9 of the same latency. Target: < 100 ms.
//
// The controller runs with an API budget far above the load (qps 2000): this measures the path,
// not the token bucket. Times are process.hrtime, CLOCK_MONOTONIC in both processes.
//
//   node test/bench/webhook/run.ts [--paced N] [--gap MS] [--concurrency C] [--deliveries N]
//
// It prints figures and PASS/MISS and exits 0 either way (a measurement, not an assertion).
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/controller/kube/client.ts';
import { TokenBucket } from '../../../src/controller/kube/rate-limit.ts';
import { RESOURCES } from '../../../src/controller/kube/resources.ts';
import { Manager } from '../../../src/controller/manager.ts';
import { signHex } from '../../../src/webhook/verify.ts';
import { childProcessServer, hrNow } from '../controller/chain-server.ts';
import { benchLogger, fmt, jobTemplate, LEASE_NS, median, NO_RETENTION, NS, percentile, pipelineObject, table, verdict } from '../controller/common.ts';
import type { KubeObject } from '../../harness/fake-apiserver/index.ts';

const SECRET = 'bench-webhook-secret';

function args(): { paced: number; gap: number; concurrency: number; deliveries: number } {
  const o = { paced: 300, gap: 20, concurrency: 32, deliveries: 2000 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]!.replace(/^--/, '') as keyof typeof o;
    const value = Number(argv[i + 1]);
    if (!(key in o) || !Number.isFinite(value) || value <= 0) {
      process.stderr.write('usage: node test/bench/webhook/run.ts [--paced N] [--gap MS] [--concurrency C] [--deliveries N]\n');
      process.exit(2);
    }
    o[key] = value;
  }
  return o;
}

/** A real push payload, its repository kept, one commit's files: what GitHub sends for a push to main. */
function pushBody(): Buffer {
  const require = createRequire(import.meta.url);
  const all = require('@octokit/webhooks-examples') as { name: string; examples: Record<string, unknown>[] }[];
  const push = all.find((e) => e.name === 'push')!.examples.find((p) => p.ref === 'refs/heads/main' || typeof p.ref === 'string')!;
  return Buffer.from(JSON.stringify({ ...push, ref: 'refs/heads/main', deleted: false }));
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(port: number, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/hooks/${NS}/bench`, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Sent {
  readonly run: string;
  /** When the request was sent and when its 201 arrived (hrtime ms). */
  readonly sentAt: number;
  readonly answeredAt: number;
}

async function deliver(port: number, body: Buffer): Promise<Sent> {
  const headers = { 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signHex(body, SECRET) };
  const sentAt = hrNow();
  const res = await post(port, body, headers);
  const answeredAt = hrNow();
  if (res.status !== 201) throw new Error(`delivery answered ${res.status}: ${res.body}`);
  return { run: (JSON.parse(res.body) as { run: string }).run, sentAt, answeredAt };
}

async function roundTrips(kubeConfig: KubeConfig, n: number): Promise<number[]> {
  const client = new KubeClient(kubeConfig, { limiter: new TokenBucket(1e6, 1e6) });
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = hrNow();
    await client.get(RESOURCES.pipelines, NS, 'svc');
    out.push(hrNow() - t);
  }
  return out;
}

async function main(): Promise<void> {
  const o = args();
  const body = pushBody();
  process.stdout.write(`webhook benchmark — node ${process.version}, ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; push payload ${body.length} bytes\n`);
  const server = await childProcessServer({ startMs: 5, runMs: 50 });
  await server.create(pipelineObject('svc', { jobs: [{ name: 'build', template: jobTemplate('build') }], retention: NO_RETENTION }));
  await server.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hook', namespace: NS }, data: { token: Buffer.from(SECRET).toString('base64') } } as unknown as KubeObject);
  await server.create({ apiVersion: 'kayci.dev/v1alpha1', kind: 'Trigger', metadata: { name: 'bench', namespace: NS }, spec: { pipelineRef: { name: 'svc' }, webhook: { provider: 'github', secretRefs: [{ name: 'hook', key: 'token' }] } } } as unknown as KubeObject);
  const { log, problems } = benchLogger();
  const manager = new Manager({ kubeConfig: server.kubeConfig(), leaseNamespace: LEASE_NS, log, qps: 2000, burst: 2000, workers: 8, port: 0, host: '127.0.0.1', settings: { deferRunningMs: 1000 } } as ConstructorParameters<typeof Manager>[0]);
  await manager.start();
  while (!manager.leader.isLeader()) await new Promise((r) => setTimeout(r, 20));
  const port = manager.port!;
  // Warm-up: JIT, the Secret cache, keep-alive sockets.
  for (let i = 0; i < 30; i++) await deliver(port, body);

  const rttBefore = await roundTrips(server.kubeConfig(), 200);
  const paced: Sent[] = [];
  for (let i = 0; i < o.paced; i++) {
    paced.push(await deliver(port, body));
    await new Promise((r) => setTimeout(r, o.gap));
  }
  await new Promise((r) => setTimeout(r, 500));
  const rttAfter = await roundTrips(server.kubeConfig(), 200);

  const concurrent: Sent[] = [];
  let next = 0;
  const t0 = hrNow();
  await Promise.all(Array.from({ length: o.concurrency }, async () => {
    while (next < o.deliveries) {
      next++;
      concurrent.push(await deliver(port, body));
    }
  }));
  const concurrentSeconds = (hrNow() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 3000));
  const stamps = await server.stamps();
  await manager.stop();
  await server.close();

  const firstJob = (s: Sent) => (stamps.createArrivedAt[`${s.run}/build`] ?? Number.NaN) - s.sentAt;
  const latencies = (sent: Sent[]) => sent.map(firstJob).filter(Number.isFinite);
  const pacedLat = latencies(paced);
  const concurrentLat = latencies(concurrent);
  const rtt = median([...rttBefore, ...rttAfter]);
  const p = (v: number[], q: number) => percentile(v, q);
  const row = (name: string, v: number[]) => [name, String(v.length), `${fmt(p(v, 50), 2)} / ${fmt(p(v, 90), 2)} / ${fmt(p(v, 99), 2)} / ${fmt(p(v, 99.9), 2)}`];

  process.stdout.write(`\n== paced: ${o.paced} deliveries, one every ${o.gap} ms\n`);
  process.stdout.write(table([
    ['ms', 'n', 'p50 / p90 / p99 / p99.9'],
    row('webhook → 201 (Run created)', paced.map((s) => s.answeredAt - s.sentAt)),
    row('webhook → first Job create arrives', pacedLat),
    ['loopback round trip: GET via KubeClient (before / after)', String(rttBefore.length + rttAfter.length), `${fmt(median(rttBefore), 3)} / ${fmt(median(rttAfter), 3)}`],
  ]));
  process.stdout.write(`\n== concurrent: ${o.concurrency} senders, ${o.deliveries} deliveries in ${fmt(concurrentSeconds, 1)} s (${fmt(o.deliveries / concurrentSeconds, 0)}/s)\n`);
  process.stdout.write(table([
    ['ms', 'n', 'p50 / p90 / p99 / p99.9'],
    row('webhook → 201 (Run created)', concurrent.map((s) => s.answeredAt - s.sentAt)),
    row('webhook → first Job create arrives', concurrentLat),
  ]));
  const missing = paced.length + concurrent.length - pacedLat.length - concurrentLat.length;
  process.stdout.write(`\nRuns without a first Job in the stamps: ${missing}; controller warnings/errors: ${problems.count}${problems.first.length ? `\n  ${problems.first.join('\n  ')}` : ''}\n`);
  process.stdout.write(`\n== summary\n${table([
    ['target', 'measured', 'goal', ''],
    ['p50 / round trip', `${fmt(p(pacedLat, 50), 2)} ms / ${fmt(rtt, 3)} ms = ${fmt(p(pacedLat, 50) / rtt, 1)}×`, '≤ 4×', verdict(p(pacedLat, 50) / rtt <= 4)],
    ['p99 / round trip', `${fmt(p(pacedLat, 99), 2)} ms / ${fmt(rtt, 3)} ms = ${fmt(p(pacedLat, 99) / rtt, 1)}×`, '≤ 5×', verdict(p(pacedLat, 99) / rtt <= 5)],
    [`p99.9 at ${o.concurrency} concurrent`, `${fmt(p(concurrentLat, 99.9), 1)} ms`, '< 100 ms', verdict(p(concurrentLat, 99.9) < 100)],
  ])}`);
  agent.destroy();
}

await main();
