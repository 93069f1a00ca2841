// Watch faults during a long Run (a 30-job chain, each job 50–100 ms): every watch is dropped
// cleanly and abruptly, expired with 410 Gone, hung (the informers' idle timeout re-opens them),
// and once the re-list after a 410 fails for a second. No Job completion may be missed, and the
// informers re-list only after a 410 — never for a dropped or hung watch, and without a storm of
// lists while listing fails.
import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';
import { environment, NS, phaseOf, pipelineObject, runObject } from './setup.ts';
import { jobLedger, seeded, sleep, statusOf } from './resilience-helpers.ts';

const SEED = 3;
const CHAIN = 30;
const RESOURCES = ['runs.kayci.dev', 'pipelines.kayci.dev', 'triggers.kayci.dev', 'jobs.batch', 'pods'];

type Fault = 'drop' | 'abrupt' | 'expire' | 'hang' | 'list-outage';

function chain(n: number): PipelineSpec {
  const jobs = Array.from({ length: n }, (_, i) => ({
    name: `j${i}`,
    needs: i === 0 ? undefined : [`j${i - 1}`],
    template: { template: { spec: { containers: [{ name: 'main', image: 'busybox:1.37', command: ['true'] }] } } },
  }));
  return { jobs } as PipelineSpec;
}

describe('watch faults', () => {
  it(`a ${CHAIN}-job chain through dropped, expired and hung watches misses no completion and re-lists only after 410`, async () => {
    const random = seeded(SEED);
    const env = await environment();
    const { server } = env;
    const ledger = jobLedger(server);
    server.jobs.behave(() => ({ afterMs: 50 + Math.floor(random() * 51) }));
    server.store.create(pipelineObject('chain', chain(CHAIN)));
    const manager = await env.start({ informers: { idleTimeoutMs: 500, backoff: { baseMs: 20, maxMs: 500 } } });
    await server.waitFor(() => manager.leader.isLeader(), 5000, 'leadership');
    const started = Date.now();
    server.store.create(runObject('long', 'chain'));
    let finishedAt = 0;
    const finished = phaseOf(server, 'long', 30_000).then((phase) => {
      finishedAt = Date.now();
      return phase;
    });
    let inFlight = 0;

    const schedule: Fault[] = ['drop', 'abrupt', 'expire', 'hang', 'list-outage', 'drop', 'abrupt', 'hang', 'expire', 'drop', 'abrupt', 'hang'];
    const lists = () => {
      const byResource = new Map<string, number>(RESOURCES.map((r) => [r, 0]));
      for (const r of server.requestsMatching({ verb: 'list' })) byResource.set(r.resource!, (byResource.get(r.resource!) ?? 0) + 1);
      return byResource;
    };
    const listsPer: { fault: Fault; lists: Record<string, number> }[] = [];
    for (const fault of schedule) {
      await server.waitFor(() => server.watches.count >= RESOURCES.length, 5000, 'every informer to watch again');
      await sleep(50 + Math.floor(random() * 70));
      const before = lists();
      if (!finishedAt) inFlight++;
      if (fault === 'drop') server.watches.dropAll();
      if (fault === 'abrupt') server.watches.dropAll({ abrupt: true });
      if (fault === 'expire') server.watches.expireAll();
      if (fault === 'hang') server.watches.hangAll();
      if (fault === 'list-outage') {
        // A 410, and then the API server answers every list with 500 for a second.
        const outage = server.faults.inject({ verb: 'list', status: 500 });
        server.watches.expireAll();
        await sleep(1000);
        outage.remove();
      }
      // Until the informers watch again (a hung watch is re-opened after the idle timeout).
      await sleep(20);
      await server.waitFor(() => server.watches.list().filter((w) => !w.hung).length >= RESOURCES.length, 5000, 'every informer to watch again');
      const after = lists();
      listsPer.push({ fault, lists: Object.fromEntries(RESOURCES.map((r) => [r.split('.')[0], after.get(r)! - before.get(r)!])) });
    }

    expect(await finished).toBe('Succeeded');
    const seconds = (finishedAt - started) / 1000;
    const status = statusOf(server, 'long');
    expect(status.jobs).toHaveLength(CHAIN);
    for (const j of status.jobs!) expect(j).toMatchObject({ phase: 'Succeeded', attempts: 1, completionTime: expect.any(String) });
    expect(ledger.total).toBe(CHAIN);
    expect(inFlight, 'faults while the Run was in flight').toBeGreaterThanOrEqual(schedule.length / 2);
    expect(ledger.duplicates()).toEqual([]);

    const total = lists();
    const faults = schedule.length;
    const watchesOpened = server.requestsMatching({ verb: 'watch' }).length;
    const relists = manager.metrics.informerRelists;
    console.log(
      `watch faults: ${faults} (${schedule.join(', ')}) during a ${CHAIN}-job chain (${inFlight} while it ran), done in ${seconds.toFixed(2)} s; ` +
        `missed completions 0; lists per fault ${listsPer.map((p) => `${p.fault}:${Object.values(p.lists).join('/')}`).join(' ')} (runs/pipelines/triggers/jobs/pods); ` +
        `lists in all ${RESOURCES.map((r) => `${r.split('.')[0]} ${total.get(r)}`).join(', ')} (relists counted by the controller: ${RESOURCES.map((r) => relists.get({ resource: r.split('.')[0]! })).join('/')}); ` +
        `informer restarts ${RESOURCES.map((r) => manager.metrics.informerRestarts.get({ resource: r.split('.')[0]! })).join('/')}; watches opened ${watchesOpened}`,
    );
    // Re-lists: none for a dropped or hung watch; one per resource after a 410; a handful while lists fail.
    for (const { fault, lists: n } of listsPer) {
      const bound = fault === 'expire' ? 1 : fault === 'list-outage' ? 8 : 0;
      for (const [resource, count] of Object.entries(n)) expect(count, `${fault}: lists of ${resource}`).toBeLessThanOrEqual(bound);
    }
    for (const r of RESOURCES) expect(total.get(r)!, r).toBeLessThanOrEqual(1 + 3 * faults);
    ledger.stop();
    expect(server.store.list('jobs', NS)).toHaveLength(CHAIN);
  }, 60_000);
});
