// Body limits at the webhook endpoint, over raw sockets: a declared Content-Length over the cap is
// refused before a byte of the body is read, a chunked body is cut off when it passes the cap,
// a body trickled in too slowly times out, and the connection is closed in each case. Memory
// stays bounded under repeated oversize attempts, and valid deliveries are served meanwhile.
import { connect, type Socket } from 'node:net';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { githubHeaders, hookEnv, managerOf, post } from './helpers.ts';

const webhook = { webhook: { provider: 'github' as const, secretRefs: [{ name: 'hook-secret', key: 'token' }] } };
const MiB = 1024 * 1024;

interface RawResult {
  /** Status of the response, if one came. */
  readonly status?: number;
  /** The server closed the connection (the client never ended it). */
  readonly closedByServer: boolean;
  /** Body bytes the client managed to write. */
  readonly sent: number;
}

interface RawRequest {
  readonly port: number;
  readonly path: string;
  readonly headers: Record<string, string>;
  /** Body bytes to send in all. */
  readonly total: number;
  /** Send with Transfer-Encoding: chunked instead of Content-Length. */
  readonly chunked?: boolean;
  /** Declared Content-Length, when not the real one. */
  readonly declared?: number;
  /** Bytes per write, and the pause between writes. */
  readonly chunk?: number;
  readonly pauseMs?: number;
  /** Once this many bytes are sent, wait for `gate` before sending more (with trickles, keep trickling). */
  readonly holdAt?: number;
  readonly gate?: Promise<void>;
}

const FILL = Buffer.alloc(MiB, 0x20);

/**
 * POSTs over a plain socket, writing the body with backpressure until it is all sent, an answer
 * comes, or the server closes the connection. Never ends the connection itself: whatever closes
 * it is the server.
 */
function rawPost(r: RawRequest): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket: Socket = connect(r.port, '127.0.0.1');
    let status: number | undefined;
    let head = '';
    let sent = 0;
    let closed = false;
    let answered = false;
    socket.on('data', (d: Buffer) => {
      if (status !== undefined) return;
      head += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (m) {
        status = Number(m[1]);
        answered = true;
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      resolve({ status, closedByServer: true, sent });
    });
    const headers = { host: '127.0.0.1', 'content-type': 'application/json', ...r.headers, ...(r.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(r.declared ?? r.total) }) };
    socket.write(`POST ${r.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    const size = r.chunk ?? 64 * 1024;
    const pump = async () => {
      while (sent < r.total && !closed && !answered) {
        if (r.gate && r.holdAt !== undefined && sent >= r.holdAt) await r.gate;
        const n = Math.min(size, r.total - sent);
        const data = FILL.subarray(0, Math.min(n, FILL.length));
        const ok = r.chunked ? socket.write(Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')])) : socket.write(data);
        sent += data.length;
        if (!ok) await new Promise<void>((res) => {
          const done = () => {
            socket.off('drain', done);
            socket.off('close', done);
            res();
          };
          socket.on('drain', done).on('close', done);
        });
        if (r.pauseMs) await new Promise((res) => setTimeout(res, r.pauseMs));
      }
      if (r.chunked && sent >= r.total && !closed) socket.write('0\r\n\r\n');
    };
    void pump();
  });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** A forced full collection, so that what is measured is what is still referenced. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

describe('webhook body limits', () => {
  it('a declared Content-Length over the cap is 413 before any body byte is read, and the connection is closed', async () => {
    const env = await hookEnv(webhook, { hooks: { maxBytes: { github: 64 * 1024 } } });
    const url = new URL(env.url());
    // Only the headers are sent: the answer cannot have waited for the body.
    const r = await rawPost({ port: portOf(env.url()), path: url.pathname, headers: githubHeaders('push', 'x'), total: 0, declared: 30 * MiB });
    expect(r).toMatchObject({ status: 413, closedByServer: true, sent: 0 });
    // At the default cap (25 MiB for GitHub) too.
    const env2 = await hookEnv(webhook);
    const r2 = await rawPost({ port: portOf(env2.url()), path: new URL(env2.url()).pathname, headers: githubHeaders('push', 'x'), total: 0, declared: 25 * MiB + 1 });
    expect(r2).toMatchObject({ status: 413, closedByServer: true });
    expect(env.runs().length + env2.runs().length).toBe(0);
    console.log('[webhook] limits: declared Content-Length 30 MiB over a 64 KiB cap and 25 MiB + 1 over the default → 413 with 0 body bytes sent, connection closed');
  });

  it('a chunked body growing past the cap is 413 and the connection is closed while the sender is still writing', async () => {
    const env = await hookEnv(webhook, { hooks: { maxBytes: { github: 1 * MiB } } });
    const r = await rawPost({ port: portOf(env.url()), path: new URL(env.url()).pathname, headers: githubHeaders('push', 'x'), total: 30 * MiB, chunked: true });
    expect(r.status).toBe(413);
    expect(r.closedByServer).toBe(true);
    // Cut off near the cap, not after reading everything the sender had.
    expect(r.sent).toBeLessThan(30 * MiB);
    expect(env.runs()).toHaveLength(0);
    console.log(`[webhook] limits: chunked body of 30 MiB against a 1 MiB cap → 413 after ${(r.sent / MiB).toFixed(1)} MiB written by the sender, connection closed`);
  });

  it('a body sent to an unknown Trigger is not read: 404, and the connection closed', async () => {
    const env = await hookEnv(webhook);
    const port = portOf(env.url());
    // An unknown Trigger: 404 at once, not after discarding 30 MiB.
    const unknown = await rawPost({ port, path: new URL(env.url('nope')).pathname, headers: githubHeaders('push', 'x'), total: 30 * MiB, chunked: true });
    expect(unknown).toMatchObject({ status: 404, closedByServer: true });
    expect(unknown.sent).toBeLessThan(30 * MiB);
    expect(env.runs()).toHaveLength(0);
    console.log(`[webhook] limits: 30 MiB chunked to an unknown Trigger → 404 after ${(unknown.sent / MiB).toFixed(1)} MiB written, connection closed`);
  });

  it('a body trickled in past bodyTimeoutMs is 408 and the connection is closed', async () => {
    const env = await hookEnv(webhook, { hooks: { bodyTimeoutMs: 300 } });
    const body = JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40) });
    // One byte every 50 ms: the 300 ms for the whole body pass long before the end.
    const r = await rawPost({ port: portOf(env.url()), path: new URL(env.url()).pathname, headers: githubHeaders('push', body), total: 4096, chunk: 1, pauseMs: 50 });
    expect(r).toMatchObject({ status: 408, closedByServer: true });
    expect(r.sent).toBeLessThan(4096);
    expect(env.runs()).toHaveLength(0);
    console.log(`[webhook] limits: body trickled at 20 B/s against bodyTimeoutMs 300 → 408 after ${r.sent} bytes, connection closed`);
  });

  it('memory stays bounded over 20 oversize 30 MiB attempts (10 declared, 10 chunked up to the 25 MiB default cap)', async () => {
    const env = await hookEnv(webhook);
    const port = portOf(env.url());
    const path = new URL(env.url()).pathname;
    // Warm up: the first requests allocate what the server keeps anyway (parsers, caches).
    for (let i = 0; i < 2; i++) await rawPost({ port, path, headers: githubHeaders('push', 'x'), total: 30 * MiB, chunked: true });
    collect();
    const before = process.memoryUsage();
    let sent = 0;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await rawPost({ port, path, headers: githubHeaders('push', 'x'), total: 30 * MiB, chunked: i % 2 === 1, ...(i % 2 === 0 ? { declared: 30 * MiB } : {}) });
      sent += r.sent;
      statuses.push(r.status ?? 0);
    }
    collect();
    const after = process.memoryUsage();
    expect(statuses).toEqual(Array(20).fill(413));
    const growth = after.rss - before.rss;
    const held = after.heapUsed + after.external - (before.heapUsed + before.external);
    // The chunked attempts alone put 10 × 25 MiB through the server.
    expect(sent).toBeGreaterThan(250 * MiB);
    expect(held).toBeLessThan(16 * MiB);
    // rss keeps pages the allocator has not returned yet: the heap and buffers are the strict measure.
    expect(growth).toBeLessThan(sent / 3);
    console.log(`[webhook] limits: 20 oversize 30 MiB attempts, ${(sent / MiB).toFixed(0)} MiB sent, all 413; heap+external ${(held / MiB).toFixed(1)} MiB, rss ${(growth / MiB).toFixed(1)} MiB after`);
  });

  it('valid deliveries are served while slow and oversize ones are in flight', async () => {
    const env = await hookEnv(webhook, { hooks: { bodyTimeoutMs: 2000, maxBytes: { github: 4 * MiB } } });
    const port = portOf(env.url());
    const path = new URL(env.url()).pathname;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let finished = 0;
    const track = (p: Promise<RawResult>) => p.finally(() => finished++);
    const bad = [
      // Trickled: a byte every 50 ms, too slow to finish within bodyTimeoutMs.
      ...Array.from({ length: 4 }, () => track(rawPost({ port, path, headers: githubHeaders('push', 'x'), total: 4096, chunk: 1, pauseMs: 50 }))),
      // Oversize: 1 MiB, then the rest (up to 30 MiB) once the valid deliveries are answered.
      ...Array.from({ length: 2 }, () => track(rawPost({ port, path, headers: githubHeaders('push', 'x'), total: 30 * MiB, chunked: true, holdAt: MiB, gate }))),
    ];
    const good = await Promise.all(Array.from({ length: 20 }, (_, i) => {
      const body = JSON.stringify({ ref: 'refs/heads/main', after: i.toString(16).padStart(40, 'a'), repository: { full_name: 'acme/svc' }, commits: [] });
      return post(env.url(), body, githubHeaders('push', body, undefined, `good-${i}`));
    }));
    // Answered while every slow or oversize request was still arriving.
    expect(finished).toBe(0);
    open();
    expect(good.map((r) => r.status)).toEqual(Array(20).fill(201));
    const ends = await Promise.all(bad);
    expect(ends.map((r) => r.status).sort()).toEqual([408, 408, 408, 408, 413, 413]);
    expect(ends.every((r) => r.closedByServer)).toBe(true);
    expect(env.runs()).toHaveLength(20);
    expect(managerOf(env).port).toBeGreaterThan(0);
    console.log('[webhook] limits: 20 valid deliveries → 20 × 201 while 4 trickled bodies (then 408) and 2 oversize chunked bodies (then 413) were in flight');
  });
});
