// Leader failover, 20 times, with Runs in flight: two replicas against one API server with short
// lease settings; the leader either crashes (it never hands the lease back) or is paused (its
// renewals stall while its workers go on, as in a long GC pause or a frozen VM). The standby must
// take over within leaseDuration + retryPeriod, the paused one's writes must be refused by its
// fence from renewDeadline on, and no Job may be made twice.
import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';
import type { Manager } from '../../src/controller/manager.ts';
import { environment, NS, phaseOf, pipelineObject, runObject } from './setup.ts';
import { countRefusals, crash, jobLedger, pauseRenewals, quantiles, recordingLogger, seeded, sleep, statusOf, taggedKubeConfig, type LogRecord } from './resilience-helpers.ts';

const SEED = 11;
const FAILOVERS = 20;
// Lease durations are whole seconds on the wire (leaseDurationSeconds): 1 s is the shortest.
const LEASE = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 };
const SLACK_MS = 200;

interface Replica {
  readonly id: string;
  readonly manager: Manager;
  readonly records: LogRecord[];
  readonly fence: { readonly refused: number };
}

function chain(n: number): PipelineSpec {
  const jobs = Array.from({ length: n }, (_, i) => ({
    name: `j${i}`,
    needs: i === 0 ? undefined : [`j${i - 1}`],
    template: { template: { spec: { containers: [{ name: 'main', image: 'busybox:1.37', command: ['true'] }] } } },
  }));
  return { jobs, retention: { succeeded: 100 } } as PipelineSpec;
}

describe('leader failover', () => {
  it(`${FAILOVERS} failovers (crashed and paused leaders) with Runs in flight`, async () => {
    const random = seeded(SEED);
    const env = await environment();
    const { server } = env;
    const ledger = jobLedger(server);
    server.jobs.behave(() => ({ afterMs: 80 + Math.floor(random() * 70) }));
    server.store.create(pipelineObject('chain', chain(5)));

    let n = 0;
    const replica = async (): Promise<Replica> => {
      const id = `replica-${n++}`;
      const { log, records } = recordingLogger({ id });
      const manager = await env.start({ identity: id, kubeConfig: taggedKubeConfig(server, id), leader: LEASE, log });
      return { id, manager, records, fence: countRefusals(manager) };
    };
    let replicas = [await replica(), await replica()];
    const leader = () => replicas.find((r) => r.manager.leader.isLeader());
    const becameLeader = (r: Replica, after: number) => r.records.find((x) => x.msg === 'became leader' && x.time >= after)?.time;

    const failover: number[] = [];
    const afterExpiry: number[] = [];
    const toFirstWrite: number[] = [];
    let staleWrites = 0;
    let lateWrites = 0;
    let caughtRenewals = 0;
    let refused = 0;
    const names: string[] = [];
    for (let i = 0; i < FAILOVERS; i++) {
      const old = await server.waitFor(leader, 10_000, 'a leader');
      const standby = replicas.find((r) => r !== old)!;
      const name = `f-${String(i).padStart(2, '0')}`;
      names.push(name);
      server.store.create(runObject(name, 'chain'));
      // Let the leader get going on it (and the Runs before it).
      await sleep(100 + Math.floor(random() * 200));
      const paused = i % 2 === 1;
      const t0 = Date.now();
      const refusedBefore = old.fence.refused;
      let resume: (() => void) | undefined;
      if (paused) resume = pauseRenewals(old.manager);
      else await crash(old.manager);

      const acquired = await server.waitFor(() => becameLeader(standby, t0), 10_000, `${standby.id} to take over`);
      const lastRenew = (old.manager.leader as unknown as { lastRenew: number }).lastRenew;
      failover.push(acquired - t0);
      afterExpiry.push(acquired - (lastRenew + LEASE.leaseDurationMs));
      const firstWrite = await server.waitFor(
        () => server.requests.find((r) => r.time >= acquired && r.userAgent === standby.id && r.method !== 'GET' && r.resource !== 'leases.coordination.k8s.io'),
        10_000,
        'the new leader to write',
      );
      toFirstWrite.push(firstWrite.time - t0);

      if (paused) {
        // Still paused for a while after the takeover: it keeps reconciling, and must not write.
        await sleep(200);
        resume!();
        await server.waitFor(() => old.records.some((x) => x.msg === 'lost leadership' && x.time >= t0), 10_000, `${old.id} to step down`);
        refused += old.fence.refused - refusedBefore;
        const fenceClosed = lastRenew + LEASE.renewDeadlineMs;
        // Its lease client is not fenced (a renewal caught by the pause goes out on resume, and
        // loses on the lease's resourceVersion): only the fenced writes count.
        const late = server.requests.filter((r) => r.userAgent === old.id && r.method !== 'GET' && r.resource !== 'leases.coordination.k8s.io' && r.time > fenceClosed);
        lateWrites += late.length;
        caughtRenewals += server.requests.filter((r) => r.userAgent === old.id && r.method === 'PUT' && r.resource === 'leases.coordination.k8s.io' && r.time > fenceClosed).length;
        staleWrites += late.filter((r) => r.time >= acquired).length;
      } else {
        // The crashed replica is replaced by a new one, the standby of the next round.
        replicas = [standby, await replica()];
      }
    }

    for (const name of names) expect(await phaseOf(server, name, 30_000), name).toBe('Succeeded');
    for (const name of names) {
      const status = statusOf(server, name);
      expect(status.jobs!.map((j) => j.phase), name).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
    }
    expect(ledger.duplicates()).toEqual([]);
    expect(ledger.total).toBe(5 * FAILOVERS);
    expect(server.store.list('jobs', NS)).toHaveLength(5 * FAILOVERS);

    const f = quantiles(failover);
    const e = quantiles(afterExpiry);
    const w = quantiles(toFirstWrite);
    console.log(
      `failover ×${FAILOVERS} (${FAILOVERS / 2} crashed, ${FAILOVERS / 2} paused; lease ${LEASE.leaseDurationMs} ms, renew deadline ${LEASE.renewDeadlineMs} ms, retry ${LEASE.retryPeriodMs} ms): ` +
        `leader stops renewing → standby leads min/median/max ${f.min}/${f.median}/${f.max} ms (bound ${LEASE.leaseDurationMs + LEASE.retryPeriodMs} + ${SLACK_MS}); ` +
        `lease expiry → standby leads ${e.min}/${e.median}/${e.max} ms; → its first write ${w.min}/${w.median}/${w.max} ms; ` +
        `paused leaders' writes refused by the fence ${refused}, arrived after it closed ${lateWrites}, after the takeover ${staleWrites} (renewals caught by a pause, sent on resume: ${caughtRenewals}); Jobs ${ledger.total}, duplicates ${ledger.duplicates().length}`,
    );
    expect(f.max).toBeLessThanOrEqual(LEASE.leaseDurationMs + LEASE.retryPeriodMs + SLACK_MS);
    expect(staleWrites).toBe(0);
    expect(refused).toBeGreaterThan(0);
    ledger.stop();
  }, 90_000);
});
