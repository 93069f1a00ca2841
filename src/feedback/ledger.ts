// What this process has asked to be posted, so each change is posted once: per Run (by uid), per
// status context, the last state + description + link. Kept in memory only: after a restart (or
// a new leader) everything current is posted once more, which is harmless — a status is keyed by
// its context on the commit, and the last one posted wins.

export interface PostedStatus {
  /** The provider's state (`pending`, `success`, `failed` …), not the Run's phase. */
  readonly state: string;
  readonly description: string;
  readonly targetUrl?: string;
}

export class StatusLedger {
  private readonly runs = new Map<string, Map<string, string>>();

  /** Records `next` for (run, context); true when it differs from what was recorded. */
  update(run: string, context: string, next: PostedStatus): boolean {
    const value = `${next.state}\n${next.description}\n${next.targetUrl ?? ''}`;
    let contexts = this.runs.get(run);
    if (!contexts) {
      contexts = new Map();
      this.runs.set(run, contexts);
    }
    if (contexts.get(context) === value) return false;
    contexts.set(context, value);
    return true;
  }

  forget(run: string): void {
    this.runs.delete(run);
  }

  clear(): void {
    this.runs.clear();
  }

  get size(): number {
    return this.runs.size;
  }
}

/** Things done once per Run: `first` is true the first time a key is seen for that Run. */
export class OncePerRun {
  private readonly runs = new Map<string, Set<string>>();

  first(run: string, key: string): boolean {
    let keys = this.runs.get(run);
    if (!keys) {
      keys = new Set();
      this.runs.set(run, keys);
    }
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  }

  forget(run: string): void {
    this.runs.delete(run);
  }
}
