// Finding processes by a marker, to prove that stopping a job leaves nothing behind. Reads /proc
// directly (Linux): a process matches when the marker is in its command line or its environment,
// so every descendant of a job that got the marker in its env is found, whatever it runs.
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

/** A marker no other process on the machine has. */
export function uniqueMarker(): string {
  return `kayci-test-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * A `sleep` duration no other process uses, so `sleep <it>` is findable by its command line:
 * `sleep 1000 <marker>` is not valid for GNU sleep, `sleep 1000.<digits>` is.
 */
export function uniqueSleep(): string {
  return `1000.${String(process.pid).padStart(7, '0')}${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
}

/** Live (not zombie) processes whose command line or environment contains `marker`. */
export function processesWith(marker: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      let environ = '';
      try {
        environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      } catch {
        // not ours to read
      }
      if (cmdline.includes(marker) || environ.includes(marker)) found.push({ pid: Number(entry), cmdline });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Waits until no process has the marker (processes may take a moment to be reaped). */
export async function settledProcessesWith(marker: string, timeoutMs = 3000): Promise<{ pid: number; cmdline: string }[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const left = processesWith(marker);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until some process has the marker. */
export async function waitForProcess(marker: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (processesWith(marker).length === 0) {
    if (Date.now() > until) throw new Error(`no process with ${marker} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
