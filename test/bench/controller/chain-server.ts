// The fake API server for the latency section, in this process or in a child process (as a real
// API server is: on its own core, not sharing the controller's event loop), with what the
// section needs from it: when each Job's Complete condition was stored, when each Job's create
// request arrived, and when a Run finished. Times are process.hrtime (CLOCK_MONOTONIC, the same
// clock in both processes), in ms.
//
// As a child: node chain-server.ts '<json FakeApiServerOptions.jobController>'; it answers over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import type { FakeApiServer, JobControllerOptions, KubeObject, RequestRecord } from '../../harness/fake-apiserver/index.ts';
import { fakeServer, kubeConfigFor, TERMINAL } from './common.ts';

export const hrNow = () => Number(process.hrtime.bigint()) / 1e6;

export interface ServerStamps {
  /** `<run>/<job>` (their labels) → when the Job's Complete condition was stored. */
  readonly completeAt: Record<string, number>;
  /** `<run>/<job>` → when the create request of its Job arrived. */
  readonly createArrivedAt: Record<string, number>;
}

export interface ChainServer {
  readonly port: number;
  kubeConfig(): KubeConfig;
  create(obj: KubeObject): Promise<KubeObject>;
  /** Resolves with the Run's phase once it is terminal. */
  finished(run: string): Promise<string>;
  /** A Job's name in the namespace, for round trips. */
  someJob(namespace: string): Promise<string>;
  stamps(): Promise<ServerStamps>;
  close(): Promise<void>;
}

/** The recording, wired to a server in whichever process it runs. */
function record(server: FakeApiServer, onFinished: (run: string, phase: string) => void): ServerStamps {
  const completeAt: Record<string, number> = {};
  const createArrivedAt: Record<string, number> = {};
  const records = server.requests as RequestRecord[];
  let lastJobCreate = Number.NaN;
  records.push = (...items: RequestRecord[]) => {
    const t = hrNow();
    for (const r of items) if (r.method === 'POST' && r.path.endsWith('/jobs')) lastJobCreate = t;
    return Array.prototype.push.apply(records, items);
  };
  server.onChange((e) => {
    if (e.resource === 'runs.kayci.dev') {
      const phase = (e.object.status as { phase?: string } | undefined)?.phase;
      if (phase && TERMINAL.has(phase)) onFinished(e.object.metadata.name!, phase);
      return;
    }
    if (e.resource !== 'jobs.batch') return;
    const labels = e.object.metadata.labels;
    if (!labels?.['kayci.dev/job']) return;
    const job = `${labels['kayci.dev/run']}/${labels['kayci.dev/job']}`;
    // The request that stored it is the latest Job create (one at a time along a chain).
    if (e.type === 'ADDED') createArrivedAt[job] = lastJobCreate;
    else if (e.type === 'MODIFIED' && isComplete(e.object) && !isComplete(e.previous)) completeAt[job] = hrNow();
  });
  return { completeAt, createArrivedAt };
}

function isComplete(job: KubeObject | undefined): boolean {
  const conditions = (job?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
  return conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ?? false;
}

export async function inProcessServer(jobController: JobControllerOptions): Promise<ChainServer> {
  const server = await fakeServer({ jobController });
  const phases = new Map<string, string>();
  const waiting = new Map<string, (phase: string) => void>();
  const stamps = record(server, (run, phase) => {
    phases.set(run, phase);
    waiting.get(run)?.(phase);
  });
  return {
    port: server.port,
    kubeConfig: () => kubeConfigFor(server.port),
    create: async (obj) => server.store.create(obj),
    finished: (run) => new Promise((resolve) => (phases.has(run) ? resolve(phases.get(run)!) : waiting.set(run, resolve))),
    someJob: async (namespace) => server.store.list('jobs', namespace)[0]!.metadata.name!,
    stamps: async () => stamps,
    close: () => server.close(),
  };
}

type Request = { op: 'create'; obj: KubeObject } | { op: 'someJob'; namespace: string } | { op: 'stamps' } | { op: 'close' };
type Message = Request & { id: number };
type Reply = { id: number; value?: unknown; error?: string } | { finished: string; phase: string } | { port: number };

export async function childProcessServer(jobController: JobControllerOptions): Promise<ChainServer> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [JSON.stringify(jobController)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const phases = new Map<string, string>();
  const waiting = new Map<string, (phase: string) => void>();
  let next = 0;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (m: Reply) => {
      if ('port' in m) resolve(m.port);
      else if ('finished' in m) {
        phases.set(m.finished, m.phase);
        waiting.get(m.finished)?.(m.phase);
      } else {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.error) p?.reject(new Error(m.error));
        else p?.resolve(m.value);
      }
    });
  });
  const ask = <T>(m: Request): Promise<T> => new Promise<T>((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    child.send({ ...m, id });
  });
  return {
    port,
    kubeConfig: () => kubeConfigFor(port),
    create: (obj) => ask<KubeObject>({ op: 'create', obj }),
    finished: (run) => new Promise((resolve) => (phases.has(run) ? resolve(phases.get(run)!) : waiting.set(run, resolve))),
    someJob: (namespace) => ask<string>({ op: 'someJob', namespace }),
    stamps: () => ask<ServerStamps>({ op: 'stamps' }),
    close: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await ask({ op: 'close' }).catch(() => undefined);
      await exited;
    },
  };
}

async function childMain(): Promise<void> {
  const server = await fakeServer({ jobController: JSON.parse(process.argv[2] ?? '{}') as JobControllerOptions });
  const send = (m: Reply) => process.send!(m);
  const reported = new Set<string>();
  const stamps = record(server, (run, phase) => {
    if (reported.has(run)) return;
    reported.add(run);
    send({ finished: run, phase });
  });
  process.on('message', (m: Message) => {
    try {
      if (m.op === 'create') send({ id: m.id, value: server.store.create(m.obj) });
      else if (m.op === 'someJob') send({ id: m.id, value: server.store.list('jobs', m.namespace)[0]?.metadata.name });
      else if (m.op === 'stamps') send({ id: m.id, value: stamps });
      else if (m.op === 'close') {
        void server.close().then(() => {
          send({ id: m.id });
          process.disconnect();
        });
      }
    } catch (e) {
      send({ id: m.id, error: (e as Error).message });
    }
  });
  send({ port: server.port });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await childMain();
