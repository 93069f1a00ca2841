// Time and randomness for the fake server: timestamps come from an injectable clock (so tests can
// pin or advance them), durations are real timers, and every timer is tracked so that close()
// leaves no handle behind.

export interface Environment {
  /** The wall clock object timestamps come from. */
  now: () => Date;
  /** Randomness for generateName suffixes and fault probabilities. */
  random: () => number;
}

/** metav1.Time: RFC 3339 with second precision. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The 5-character suffix the API server appends to generateName. */
export function randomSuffix(random: () => number, length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += NAME_ALPHABET[Math.floor(random() * NAME_ALPHABET.length)] ?? 'x';
  return out;
}

/** setTimeout with bookkeeping: everything pending is cancelled by clear(). */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;

  set(fn: () => void, ms: number): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const handle = setTimeout(() => {
      this.pending.delete(handle);
      fn();
    }, Math.max(0, ms));
    this.pending.add(handle);
    return handle;
  }

  cancel(handle: NodeJS.Timeout | undefined): void {
    if (!handle) return;
    clearTimeout(handle);
    this.pending.delete(handle);
  }

  clear(): void {
    this.closed = true;
    for (const h of this.pending) clearTimeout(h);
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
