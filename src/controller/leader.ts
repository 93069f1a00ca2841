// Leader election on a coordination.k8s.io Lease, as client-go does it: one replica holds the
// lease and renews it; the others wait for it to expire. Holding is not enough to write: a
// replica may write only while its last renewal is younger than the renew deadline, so a leader
// that was paused (GC, SIGSTOP, a frozen VM) stops writing before another can take over.
import type { KubeClient, KubeObject } from './kube/client.ts';
import { isAlreadyExists, isConflict, isNotFound } from './kube/errors.ts';
import { RESOURCES } from './kube/resources.ts';
import type { Logger } from './log.ts';

export interface LeaderOptions {
  readonly namespace: string;
  /** @default 'kayci-controller' */
  readonly name?: string;
  readonly identity: string;
  /** How long a lease is good for without renewal. @default 15 s */
  readonly leaseDurationMs?: number;
  /** A leader that could not renew for this long stops writing. @default 10 s */
  readonly renewDeadlineMs?: number;
  /** How often to try to acquire or renew. @default 2 s */
  readonly retryPeriodMs?: number;
  readonly now?: () => number;
  readonly log: Logger;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

type Lease = KubeObject & { spec?: LeaseSpec };

export class LeaderElector {
  private readonly client: KubeClient;
  private readonly o: Required<Omit<LeaderOptions, 'log'>> & { log: Logger };
  private lastRenew = Number.NEGATIVE_INFINITY;
  /** The lease as this replica last wrote it (a renewal's starting point), until a write fails. */
  private known?: Lease;
  private leading = false;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private stopped = false;

  constructor(client: KubeClient, options: LeaderOptions) {
    this.client = client;
    this.o = {
      name: 'kayci-controller',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      now: () => Date.now(),
      ...options,
    };
  }

  /** True while this replica holds a lease it renewed recently enough to act on. */
  isLeader(): boolean {
    return this.leading && this.o.now() - this.lastRenew < this.o.renewDeadlineMs;
  }

  /** Tries to acquire and then renew, calling back on each change of leadership. */
  start(onChange: (leading: boolean) => void): void {
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      const was = this.isLeader();
      try {
        await this.tryAcquireOrRenew();
      } catch (e) {
        this.o.log.warn('lease update failed', { error: e, lease: this.o.name });
      }
      // Stopped while the request was out: stop() hands back what it may have acquired.
      if (this.stopped) return;
      const is = this.isLeader();
      if (is !== was) {
        this.o.log.info(is ? 'became leader' : 'lost leadership', { identity: this.o.identity, lease: this.o.name });
        onChange(is);
      }
      if (!is) this.leading = false;
      this.timer = setTimeout(() => (this.ticking = tick()), this.o.retryPeriodMs);
    };
    this.ticking = tick();
  }

  /** Stops renewing; a leader hands the lease back so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // A renewal in flight may still acquire the lease: wait for it, then hand back.
    await this.ticking;
    this.known = undefined;
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.client.get<Lease>(RESOURCES.leases, this.o.namespace, this.o.name);
      if (lease?.spec?.holderIdentity === this.o.identity) {
        await this.client.replace(RESOURCES.leases, this.o.namespace, this.o.name, { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } });
      }
    } catch (e) {
      this.o.log.warn('could not release the lease', { error: e });
    }
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const now = this.o.now();
    const stamp = new Date(now).toISOString().replace('Z', '000Z');
    const seconds = Math.ceil(this.o.leaseDurationMs / 1000);
    const known = this.known;
    this.known = undefined;
    if (known && this.isLeader()) {
      // The fast path of a renewal, as client-go's: update the lease as this replica last wrote
      // it. Its resourceVersion makes the update fail if anyone else wrote the lease since; then
      // the lease is read, as on every acquisition.
      try {
        this.known = await this.client.replace<Lease>(RESOURCES.leases, this.o.namespace, this.o.name, { ...known, spec: { ...known.spec, renewTime: stamp, leaseDurationSeconds: seconds } });
        this.held(now);
        return;
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e)) throw e;
      }
    }
    const lease = await this.client.get<Lease>(RESOURCES.leases, this.o.namespace, this.o.name);
    if (!lease) {
      try {
        this.known = await this.client.create<Lease>(RESOURCES.leases, this.o.namespace, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.o.name, namespace: this.o.namespace },
          spec: { holderIdentity: this.o.identity, leaseDurationSeconds: seconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0 },
        });
        this.held(now);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      return;
    }
    const spec = lease.spec ?? {};
    const mine = spec.holderIdentity === this.o.identity;
    const renewed = Date.parse(spec.renewTime ?? '') || 0;
    const expired = !spec.holderIdentity || now > renewed + (spec.leaseDurationSeconds ?? seconds) * 1000;
    if (!mine && !expired) {
      this.leading = false;
      return;
    }
    const next: LeaseSpec = mine
      ? { ...spec, renewTime: stamp, leaseDurationSeconds: seconds }
      : { holderIdentity: this.o.identity, leaseDurationSeconds: seconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
    try {
      // The resourceVersion makes this a compare-and-swap: of two replicas, one wins.
      this.known = await this.client.replace<Lease>(RESOURCES.leases, this.o.namespace, this.o.name, { ...lease, spec: next });
      this.held(now);
    } catch (e) {
      // The lease changed (or vanished) since it was read: a failed attempt like any other. Do not
      // let go at once: a holder keeps acting until renewDeadline (isLeader), which passes before
      // the lease can expire for anyone else; the next period reads who holds it now.
      if (isConflict(e) || isNotFound(e)) return;
      throw e;
    }
  }

  private held(at: number): void {
    this.leading = true;
    this.lastRenew = at;
  }
}
