// What `kayci run` prints: each job's output prefixed with its name (coloured on a terminal), a
// line when a job starts and ends, a progress line on a terminal, and a closing summary with the
// tail of each failed job's log.
import type { JobStatus, RunPhase } from '../api/v1alpha1/run.ts';

export interface Writer {
  out(text: string): void;
  readonly tty: boolean;
}

export interface RunInfo {
  readonly run: string;
  readonly pipeline: string;
  readonly jobs: readonly string[];
  readonly origin: string;
  readonly parallelism: number;
  readonly executor: string;
  readonly logDir: string;
}

export interface SummaryRow {
  readonly job: string;
  readonly status: JobStatus | undefined;
  readonly durationMs: number | undefined;
}

const COLORS = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92, 94];
const TAIL_LINES = 20;

export class ConsoleReporter {
  private readonly w: Writer;
  private readonly color: boolean;
  private width = 0;
  private readonly palette = new Map<string, number>();
  private progressShown = false;
  private progressText = '';
  private info?: RunInfo;
  private finished = 0;
  private readonly running = new Set<string>();
  private readonly started = Date.now();

  constructor(w: Writer, options: { color?: boolean } = {}) {
    this.w = w;
    this.color = options.color ?? w.tty;
  }

  runStarted(info: RunInfo): void {
    this.info = info;
    this.width = Math.min(24, Math.max(...info.jobs.map((j) => j.length), 3));
    info.jobs.forEach((j, i) => this.palette.set(j, COLORS[i % COLORS.length]!));
    this.print(`${this.paint(1, `kayci run ${info.run}`)}: pipeline ${info.pipeline} from ${info.origin}, ${info.jobs.length} job${info.jobs.length === 1 ? '' : 's'}, ${info.parallelism} at a time, ${info.executor} executor`);
  }

  jobStarted(job: string): void {
    this.running.add(job);
    this.print(`${this.prefix(job)}${this.paint(2, '▶ started')}`);
  }

  output(job: string, line: string): void {
    this.print(`${this.prefix(job)}${line}`);
  }

  jobFinished(job: string, status: JobStatus, durationMs: number | undefined): void {
    this.running.delete(job);
    this.finished++;
    const took = durationMs === undefined ? '' : ` (${seconds(durationMs)})`;
    const attempts = (status.attempts ?? 1) > 1 ? `, ${status.attempts} attempts` : '';
    const line = {
      Succeeded: () => this.paint(32, `✓ succeeded${took}${attempts}`),
      Failed: () => this.paint(31, `✗ failed${took}${attempts}: ${status.message ?? status.reason ?? ''}`),
      Skipped: () => this.paint(2, `– skipped: ${status.message ?? status.reason ?? ''}`),
      Cancelled: () => this.paint(33, `◼ cancelled${took}`),
      Running: () => '',
      Pending: () => '',
    }[status.phase]();
    this.print(`${this.prefix(job)}${line}`);
  }

  /** The closing table, the tails of failed logs, and the verdict. */
  runFinished(phase: RunPhase, rows: readonly SummaryRow[], tails: ReadonlyMap<string, string>, elapsedMs: number): void {
    this.clearProgress();
    const header = ['JOB', 'STATUS', 'DURATION', 'ATTEMPTS'];
    const body = rows.map((r) => [r.job, r.status?.phase ?? 'Pending', r.durationMs === undefined ? '-' : seconds(r.durationMs), String(r.status?.attempts ?? '-')]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
    const lines = ['', fmt(header), ...body.map((b, i) => this.paintStatus(rows[i]!.status?.phase, fmt(b)))];
    for (const [job, log] of tails) {
      if (log.trim() === '') continue;
      const tail = log.trimEnd().split('\n').slice(-TAIL_LINES);
      const what = tail.length === 1 ? 'last line' : `last ${tail.length} lines`;
      lines.push('', this.paint(31, `── ${what} of ${job} (${this.info?.logDir ?? ''}/${job}.log) ──`), ...tail);
    }
    const verdict = `run ${this.info?.run ?? ''} ${phase.toLowerCase()} in ${seconds(elapsedMs)}; logs in ${this.info?.logDir ?? ''}/`;
    lines.push('', this.paint(phase === 'Succeeded' ? 32 : phase === 'Cancelled' ? 33 : 31, verdict));
    this.w.out(`${lines.join('\n')}\n`);
  }

  notice(text: string): void {
    this.print(this.paint(33, text));
  }

  /** Redraws the progress line (terminals only). */
  progress(): void {
    if (!this.w.tty || !this.info) return;
    const names = [...this.running];
    const shown = names.slice(0, 4).join(', ') + (names.length > 4 ? `, +${names.length - 4}` : '');
    this.progressText = this.paint(2, `[${this.finished}/${this.info.jobs.length}] ${seconds(Date.now() - this.started)}${names.length ? ` · running: ${shown}` : ''}`);
    this.w.out(`\r\x1b[K${this.progressText}`);
    this.progressShown = true;
  }

  private print(line: string): void {
    this.clearProgress();
    this.w.out(`${line}\n`);
    if (this.w.tty && this.info) this.progress();
  }

  private clearProgress(): void {
    if (this.progressShown) this.w.out('\r\x1b[K');
    this.progressShown = false;
  }

  private prefix(job: string): string {
    const label = job.length > this.width ? `${job.slice(0, this.width - 1)}…` : job.padEnd(this.width);
    return `${this.paint(this.palette.get(job) ?? 0, label)} │ `;
  }

  private paint(code: number, text: string): string {
    return this.color && code ? `\x1b[${code}m${text}\x1b[0m` : text;
  }

  private paintStatus(phase: string | undefined, text: string): string {
    const code = phase === 'Succeeded' ? 32 : phase === 'Failed' ? 31 : phase === 'Cancelled' ? 33 : phase === 'Skipped' ? 2 : 0;
    return this.paint(code, text);
  }
}

export function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}
