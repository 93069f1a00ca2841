// The write fence: a replica that loses its lease while a write waits for a token must not send it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/controller/kube/client.ts';
import { NotLeaderError } from '../../../src/controller/kube/errors.ts';
import type { TokenBucket } from '../../../src/controller/kube/rate-limit.ts';
import { RESOURCES } from '../../../src/controller/kube/resources.ts';

let requests = 0;
const server = createServer((_req, res) => {
  requests++;
  res.setHeader('content-type', 'application/json');
  res.end('{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"}}');
});
let kubeConfig: KubeConfig;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A limiter that holds every caller until released. */
function gate(): { limiter: TokenBucket; release: () => void; waiting: () => number } {
  let waiters: (() => void)[] = [];
  const limiter = { take: () => new Promise<void>((resolve) => waiters.push(resolve)) } as unknown as TokenBucket;
  return { limiter, release: () => { for (const w of waiters) w(); waiters = []; }, waiting: () => waiters.length };
}

describe('write fence', () => {
  it('refuses a write whose lease was lost while it waited for a token, and sends nothing', async () => {
    const { limiter, release, waiting } = gate();
    let leader = true;
    const client = new KubeClient(kubeConfig, { limiter, mayWrite: () => leader });
    const before = requests;
    const write = client.create(RESOURCES.configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    await expect.poll(waiting).toBe(1);
    leader = false;
    release();
    await expect(write).rejects.toBeInstanceOf(NotLeaderError);
    expect(requests).toBe(before);
  });

  it('lets reads through after the lease is lost, and writes while it is held', async () => {
    const { limiter, release, waiting } = gate();
    let leader = true;
    const client = new KubeClient(kubeConfig, { limiter, mayWrite: () => leader });
    const before = requests;
    const write = client.create(RESOURCES.configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    await expect.poll(waiting).toBe(1);
    release();
    await expect(write).resolves.toMatchObject({ metadata: { name: 'x' } });
    leader = false;
    const read = client.get(RESOURCES.configmaps, 'default', 'x');
    await expect.poll(waiting).toBe(1);
    release();
    await expect(read).resolves.toMatchObject({ metadata: { name: 'x' } });
    expect(requests).toBe(before + 2);
  });
});
