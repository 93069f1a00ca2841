// Fault injection, driven from the test process (not over HTTP): answer matching requests with a
// Status (409/429/500/503/504, 429 and 503 with Retry-After), delay them, or commit a write and
// then cut the connection before the answer ("create committed, response lost").

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RequestMatch {
  verb?: Verb | Verb[];
  /** Plural (`jobs`), key (`jobs.batch`), or kind (`Job`). */
  resource?: string;
  /** Only requests to this subresource (`status`); by default both the object and its subresources match. */
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface FaultSpec extends RequestMatch {
  /** Answer with this status instead of serving the request. */
  status?: 409 | 429 | 500 | 503 | 504 | number;
  /** Wait this long before serving (or failing) the request. */
  delayMs?: number;
  /** How many matching requests to affect; unlimited by default. */
  times?: number;
  /** Chance (0..1) that a matching request is affected; 1 by default. */
  probability?: number;
  retryAfterSeconds?: number;
  message?: string;
}

export interface Fault {
  readonly spec: FaultSpec;
  /** Requests this fault has affected. */
  readonly hits: number;
  /** Requests it may still affect (Infinity when unlimited). */
  readonly remaining: number;
  remove(): void;
}

/** What the HTTP layer knows of a request when it consults the faults. */
export interface RequestFacts {
  verb: Verb;
  resource: string;
  plural: string;
  kind: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

class ActiveFault implements Fault {
  hits = 0;
  readonly spec: FaultSpec;
  readonly kind: 'status' | 'lose';
  private readonly owner: Faults;

  constructor(spec: FaultSpec, kind: 'status' | 'lose', owner: Faults) {
    this.spec = spec;
    this.kind = kind;
    this.owner = owner;
  }

  get remaining(): number {
    return this.spec.times === undefined ? Infinity : Math.max(0, this.spec.times - this.hits);
  }

  remove(): void {
    this.owner.remove(this);
  }
}

function matches(m: RequestMatch, f: RequestFacts): boolean {
  if (m.verb !== undefined && !(Array.isArray(m.verb) ? m.verb : [m.verb]).includes(f.verb)) return false;
  if (m.resource !== undefined && ![f.resource, f.plural, f.kind].includes(m.resource)) return false;
  if (m.subresource !== undefined && m.subresource !== f.subresource) return false;
  if (m.namespace !== undefined && m.namespace !== f.namespace) return false;
  if (m.name !== undefined && m.name !== f.name) return false;
  return true;
}

export class Faults {
  private readonly active: ActiveFault[] = [];

  private readonly random: () => number;

  constructor(random: () => number) {
    this.random = random;
  }

  /** Answers (or delays) matching requests; see FaultSpec. */
  inject(spec: FaultSpec): Fault {
    if (spec.status === undefined && spec.delayMs === undefined) throw new Error('faults.inject: give a status, a delayMs, or both');
    const fault = new ActiveFault(spec, 'status', this);
    this.active.push(fault);
    return fault;
  }

  /** Serves matching requests (the write is committed) and then destroys the socket unanswered. */
  loseResponse(spec: RequestMatch & { times?: number; probability?: number }): Fault {
    const fault = new ActiveFault(spec, 'lose', this);
    this.active.push(fault);
    return fault;
  }

  remove(fault: Fault): void {
    const i = this.active.indexOf(fault as ActiveFault);
    if (i >= 0) this.active.splice(i, 1);
  }

  clear(): void {
    this.active.length = 0;
  }

  /** Faults still armed. */
  list(): Fault[] {
    return [...this.active];
  }

  /** The faults that apply to this request; each counts the hit. */
  take(facts: RequestFacts): { status?: ActiveFault; delayMs: number; lose: boolean } {
    let status: ActiveFault | undefined;
    let delayMs = 0;
    let lose: ActiveFault | undefined;
    const hit = (f: ActiveFault) => {
      f.hits++;
      if (f.remaining <= 0) this.remove(f);
    };
    for (const f of [...this.active]) {
      if (f.remaining <= 0 || !matches(f.spec, facts)) continue;
      if (f.kind === 'lose' ? lose !== undefined : f.spec.status !== undefined && status !== undefined) continue;
      if (f.spec.probability !== undefined && this.random() >= f.spec.probability) continue;
      if (f.kind === 'lose') {
        lose = f;
        continue;
      }
      if (f.spec.status !== undefined) status = f;
      delayMs = Math.max(delayMs, f.spec.delayMs ?? 0);
      hit(f);
    }
    // A request answered with an error never reaches the point where its response could be lost.
    if (lose && !status) hit(lose);
    return { ...(status ? { status } : {}), delayMs, lose: lose !== undefined && !status };
  }
}
