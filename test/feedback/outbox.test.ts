// The outbox: bounded concurrency, order per key, retries of transient failures only, a newer
// request replacing one that keeps failing.
import { describe, expect, it } from 'vitest';
import { Outbox, type OutboxTask } from '../../src/controller/feedback/outbox.ts';
import { FeedbackError } from '../../src/feedback/http.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const retriable = (e: unknown) => !(e instanceof FeedbackError && e.status < 500);

describe('outbox', () => {
  it('never more than `concurrency` in flight; each key in order', async () => {
    const box = new Outbox({ concurrency: 3, retriable, baseMs: 1 });
    let inFlight = 0;
    let most = 0;
    const done: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    for (let k = 0; k < 10; k++) {
      for (let i = 0; i < 3; i++) {
        const id = `${k}:${i}`;
        gates.set(id, deferred());
        box.push(`k${k}`, {
          run: async () => {
            inFlight++;
            most = Math.max(most, inFlight);
            await gates.get(id)!.promise;
            inFlight--;
            done.push(id);
          },
        });
      }
    }
    // Open the gates in reverse: order per key must hold anyway.
    for (const id of [...gates.keys()].reverse()) gates.get(id)!.resolve();
    await box.idle();
    expect(most).toBe(3);
    expect(done).toHaveLength(30);
    for (let k = 0; k < 10; k++) expect(done.filter((d) => d.startsWith(`${k}:`))).toEqual([`${k}:0`, `${k}:1`, `${k}:2`]);
  });

  it('retries 5xx and network errors with backoff, not 4xx', async () => {
    const errors: [string, number, string][] = [];
    const box = new Outbox({ retriable, baseMs: 1, maxMs: 4, attempts: 4, onError: (t, _e, attempt, next) => errors.push([t.about!.id!, attempt, next]) });
    let flaky = 0;
    let refused = 0;
    let down = 0;
    box.push('a', { about: { id: 'flaky' }, run: async () => { if (++flaky < 3) throw new FeedbackError(502, 'bad gateway'); } });
    box.push('b', { about: { id: 'refused' }, run: async () => { refused++; throw new FeedbackError(422, 'Validation Failed'); } });
    box.push('c', { about: { id: 'down' }, run: async () => { down++; throw new TypeError('fetch failed'); } });
    await box.idle();
    expect([flaky, refused, down]).toEqual([3, 1, 4]);
    expect(errors.filter((e) => e[0] === 'flaky')).toEqual([['flaky', 1, 'retry'], ['flaky', 2, 'retry']]);
    expect(errors.filter((e) => e[0] === 'refused')).toEqual([['refused', 1, 'dropped']]);
    expect(errors.filter((e) => e[0] === 'down')).toEqual([['down', 1, 'retry'], ['down', 2, 'retry'], ['down', 3, 'retry'], ['down', 4, 'dropped']]);
  });

  it('a newer request for the key replaces one waiting to be retried', async () => {
    const box = new Outbox({ retriable, baseMs: 20, maxMs: 20, attempts: 100 });
    const sent: string[] = [];
    let fails = true;
    const first = deferred();
    box.push('k', { run: async () => { sent.push('pending'); first.resolve(); if (fails) throw new FeedbackError(503, 'unavailable'); } });
    await first.promise;
    await new Promise((r) => setImmediate(r));
    fails = false;
    box.push('k', { run: async () => { sent.push('success'); } });
    await box.idle();
    expect(sent).toEqual(['pending', 'success']);
  });

  it('clear drops what is queued; stop refuses more', async () => {
    const box = new Outbox({ retriable, concurrency: 1 });
    const gate = deferred();
    const ran: string[] = [];
    const task = (id: string): OutboxTask => ({ run: async () => { ran.push(id); await gate.promise; } });
    box.push('a', task('a'));
    box.push('b', task('b'));
    expect(box.pending).toBe(2);
    box.clear();
    expect(box.pending).toBe(0);
    await box.idle();
    gate.resolve();
    box.stop();
    box.push('c', task('c'));
    await box.idle();
    expect(ran).toEqual(['a']);
  });
});
