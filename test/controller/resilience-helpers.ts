// Shared tools of the controller resilience tests: a seeded PRNG, a ledger of every Job the API
// server ever stored (duplicates cannot hide behind a later delete), orphan checks, request-rate
// windows, and ways to end or freeze a Manager the way a crashed or paused process would.
import { KubeConfig } from '@kubernetes/client-node';
import type { RunStatus } from '../../src/api/v1alpha1/run.ts';
import type { KubeClient } from '../../src/controller/kube/client.ts';
import { jsonLogger, type Logger } from '../../src/controller/log.ts';
import { NotLeaderError } from '../../src/controller/kube/errors.ts';
import type { Manager } from '../../src/controller/manager.ts';
import type { FakeApiServer, RequestMatch } from '../harness/fake-apiserver/index.ts';
import { NS } from './setup.ts';

export interface LogRecord {
  readonly time: number;
  readonly level: string;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

/** A logger that keeps what it is told (KAYCI_TEST_LOG=1 also prints it). */
export function recordingLogger(base: Record<string, unknown> = {}): { log: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const print = process.env.KAYCI_TEST_LOG ? jsonLogger((l) => process.stderr.write(l), 'debug', base) : undefined;
  const make = (fields: Record<string, unknown>): Logger => {
    const at = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, f: Record<string, unknown> = {}) => {
      records.push({ time: Date.now(), level, msg, fields: { ...fields, ...f } });
      print?.[level](msg, { ...fields, ...f });
    };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), with: (more) => make({ ...fields, ...more }) };
  };
  return { log: make(base), records };
}

/** mulberry32: a small, seeded PRNG (same seed, same restart points, same faults). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct integers of [lo, hi], sorted, drawn with `random`. */
export function pick(random: () => number, count: number, lo: number, hi: number): number[] {
  const all = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, count).sort((a, b) => a - b);
}

export interface JobLedger {
  /** Job objects ever added to the store. */
  readonly total: number;
  /** (run uid, job) pairs that had more than one Job object, with their names. */
  duplicates(): string[];
  /** Job objects ever added for a run (by name), notify jobs included. */
  createdFor(run: string): number;
  stop(): void;
}

/** Records every Job the store ever held (ADDED events), keyed by owning Run uid and job name. */
export function jobLedger(server: FakeApiServer): JobLedger {
  const byKey = new Map<string, string[]>();
  const byRun = new Map<string, number>();
  let total = 0;
  const stop = server.onChange((e) => {
    if (e.type !== 'ADDED' || e.resource !== 'jobs.batch') return;
    const labels = e.object.metadata.labels ?? {};
    const owner = e.object.metadata.ownerReferences?.find((o) => o.kind === 'Run')?.uid ?? '(none)';
    const job = labels['kayci.dev/job'] ?? `notify:${labels['kayci.dev/notify'] ?? '?'}`;
    const key = `${owner}/${job}`;
    byKey.set(key, [...(byKey.get(key) ?? []), e.object.metadata.name ?? '?']);
    const run = labels['kayci.dev/run'] ?? '(none)';
    byRun.set(run, (byRun.get(run) ?? 0) + 1);
    total++;
  });
  return {
    get total() {
      return total;
    },
    duplicates: () => [...byKey].filter(([, names]) => names.length > 1).map(([k, names]) => `${k}: ${names.join(', ')}`),
    createdFor: (run) => byRun.get(run) ?? 0,
    stop,
  };
}

/** Jobs, Pods, ConfigMaps and claims in the namespace whose owner does not exist (by uid). */
export function orphans(server: FakeApiServer): string[] {
  const uids = new Set<string>();
  for (const kind of ['runs', 'jobs']) for (const o of server.store.list(kind, NS)) uids.add(o.metadata.uid!);
  const out: string[] = [];
  for (const kind of ['jobs', 'pods', 'configmaps', 'persistentvolumeclaims']) {
    for (const o of server.store.list(kind, NS)) {
      const owners = o.metadata.ownerReferences ?? [];
      if (kind === 'configmaps' && owners.length === 0) continue; // kube-root-ca.crt and the like
      if (owners.length === 0 || owners.some((r) => !uids.has(r.uid))) out.push(`${kind}/${o.metadata.name}`);
    }
  }
  return out;
}

/** What the controller made in the namespace (Jobs, Pods, ConfigMaps owned by something). */
export function leftovers(server: FakeApiServer): number {
  return ['jobs', 'pods', 'persistentvolumeclaims'].reduce((n, k) => n + server.store.list(k, NS).length, 0)
    + server.store.list('configmaps', NS).filter((c) => (c.metadata.ownerReferences ?? []).length > 0).length;
}

export const statusOf = (server: FakeApiServer, run: string): RunStatus => (server.store.get('runs', NS, run)?.status ?? {}) as RunStatus;

/** The most requests that arrived in any window of `windowMs`. */
export function maxInWindow(records: readonly { readonly time: number }[], windowMs: number): number {
  const times = records.map((r) => r.time).sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= windowMs) i++;
    max = Math.max(max, j - i + 1);
  }
  return max;
}

export const quantiles = (xs: number[]): { min: number; median: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0] ?? NaN, median: s[Math.floor((s.length - 1) / 2)] ?? NaN, max: s.at(-1) ?? NaN };
};

/** A KubeConfig whose requests carry `User-Agent: <tag>`, so the server's log tells replicas apart. */
export function taggedKubeConfig(server: FakeApiServer, tag: string): KubeConfig {
  class Tagged extends KubeConfig {
    override async applySecurityAuthentication(ctx: Parameters<KubeConfig['applySecurityAuthentication']>[0]): Promise<void> {
      await super.applySecurityAuthentication(ctx);
      ctx.setHeaderParam('User-Agent', tag);
    }
  }
  const kc = new Tagged();
  kc.loadFromString(server.kubeConfig().exportConfig());
  return kc;
}

function leaseClient(m: Manager): KubeClient {
  return (m.leader as unknown as { client: KubeClient }).client;
}

/**
 * Freezes the replica's lease renewals as a paused process would (its renewal request never
 * comes back), while its workers and informers go on. Returns `resume`.
 */
export function pauseRenewals(m: Manager): () => void {
  const client = leaseClient(m);
  const original = client.call;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  client.call = (async (...args: Parameters<KubeClient['call']>) => {
    await gate;
    return original.apply(client, args);
  }) as KubeClient['call'];
  return () => {
    client.call = original;
    release();
  };
}

/** Ends the replica without handing its lease back (a crash): the others wait for it to expire. */
export async function crash(m: Manager): Promise<void> {
  const client = leaseClient(m);
  client.call = (() => Promise.reject(new Error('crashed'))) as KubeClient['call'];
  await m.stop();
}

/**
 * Kills the replica's workers as SIGKILL would: from now on no request of theirs leaves the
 * process (an in-flight reconcile fails half-way); then stops it, lease released.
 */
export async function kill(m: Manager): Promise<void> {
  m.context.client.call = (() => Promise.reject(new Error('killed'))) as KubeClient['call'];
  await m.stop();
}

/** Counts the writes this replica's fence refused. */
export function countRefusals(m: Manager): { readonly refused: number } {
  const client = m.context.client;
  const original = client.call;
  const counter = { refused: 0 };
  client.call = (async (...args: Parameters<KubeClient['call']>) => {
    try {
      return await original.apply(client, args);
    } catch (e) {
      if (e instanceof NotLeaderError) counter.refused++;
      throw e;
    }
  }) as KubeClient['call'];
  return counter;
}

/**
 * Arms "commit, then lose the answer" for the next matching request until one is really lost
 * (a request that fails anyway, say AlreadyExists, uses the fault up without losing anything).
 * Returns 1 when one was lost, 0 when `until` came first.
 */
export async function loseOne(server: FakeApiServer, match: RequestMatch, until: () => boolean): Promise<number> {
  const since = Date.now();
  const lost = () => server.requestsMatching({ ...match, since }).some((r) => r.fault === 'lost');
  while (!until()) {
    const fault = server.faults.loseResponse({ ...match, times: 1 });
    await server.waitFor(() => fault.hits > 0 || until(), 30_000, `a ${String(match.verb)} to lose`);
    fault.remove();
    // Until every such request so far was answered (or lost): a delayed one is still out.
    await server.waitFor(() => server.requestsMatching({ ...match, since }).every((r) => r.status !== 0 || r.fault === 'lost'), 30_000, 'answers');
    if (lost()) return 1;
  }
  return 0;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
