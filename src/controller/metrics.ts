// Prometheus metrics in the text exposition format, without a dependency: counters, gauges
// (set or computed when scraped) and histograms, with labels.

type Labels = Readonly<Record<string, string>>;

function key(labels: Labels): string {
  return Object.keys(labels).sort().map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
}

/** HELP text escapes backslashes and newlines (label values also escape double quotes). */
function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`];
}

/** Sample values as the text format spells them: `+Inf`, `-Inf` and `NaN` for the odd ones. */
function num(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

interface Metric {
  render(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  readonly name: string;
  readonly help: string;
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels)) ?? 0;
  }
  render(): string[] {
    return [...header(this.name, this.help, 'counter'), ...[...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${num(v)}`)];
  }
}

export class Gauge implements Metric {
  private readonly values = new Map<string, number>();
  private collect?: () => Iterable<[Labels, number]>;
  readonly name: string;
  readonly help: string;
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  set(labels: Labels, value: number): void {
    this.values.set(key(labels), value);
  }
  /** Computes the values at scrape time instead. */
  collectWith(fn: () => Iterable<[Labels, number]>): void {
    this.collect = fn;
  }
  render(): string[] {
    const values = this.collect ? [...this.collect()].map(([l, v]) => [key(l), v] as const) : [...this.values];
    return [...header(this.name, this.help, 'gauge'), ...values.map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${num(v)}`)];
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  readonly name: string;
  readonly help: string;
  readonly buckets: readonly number[];
  constructor(name: string, help: string, buckets: readonly number[]) {
    this.name = name;
    this.help = help;
    this.buckets = buckets;
  }
  observe(labels: Labels, value: number): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i]!++;
    });
    s.sum += value;
    s.count++;
  }
  render(): string[] {
    const lines = header(this.name, this.help, 'histogram');
    for (const [k, s] of this.series) {
      const sep = k ? ',' : '';
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{${k}${sep}le="${b}"} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket{${k}${sep}le="+Inf"} ${s.count}`, `${this.name}_sum${k ? `{${k}}` : ''} ${num(s.sum)}`, `${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines;
  }
}

const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];

/** Every metric the controller exports. */
export class ControllerMetrics {
  readonly apiRequests = new Counter('kayci_api_requests_total', 'Kubernetes API requests, by verb and HTTP status code (0: no answer).');
  readonly apiErrors = new Counter('kayci_api_errors_total', 'Kubernetes API requests that failed, by verb and reason.');
  readonly runsByPhase = new Gauge('kayci_runs', 'Runs in the informer cache, by phase.');
  readonly queueDepth = new Gauge('kayci_queue_depth', 'Keys waiting in each work queue.');
  readonly reconciles = new Counter('kayci_reconciles_total', 'Reconciles, by kind and result.');
  readonly runDuration = new Histogram('kayci_run_duration_seconds', 'Time from a Run\'s start to its end, by final phase.', DURATION_BUCKETS);
  readonly jobDuration = new Histogram('kayci_job_duration_seconds', 'Time from a job\'s start to its end, by final phase.', DURATION_BUCKETS);
  readonly informerRestarts = new Counter('kayci_informer_restarts_total', 'Watch restarts after errors, by resource.');
  readonly informerRelists = new Counter('kayci_informer_relists_total', 'Full lists, by resource (each start and each 410 Gone).');
  readonly leader = new Gauge('kayci_leader', '1 while this replica holds the leader lease.');
  readonly feedback = new Counter('kayci_feedback_requests_total', 'Commit statuses and notifications sent, by kind (status, slack, matrix) and result (ok, failed).');

  render(): string {
    const all: Metric[] = [this.apiRequests, this.apiErrors, this.runsByPhase, this.queueDepth, this.reconciles, this.runDuration, this.jobDuration, this.informerRestarts, this.informerRelists, this.leader, this.feedback];
    return `${all.flatMap((m) => m.render()).join('\n')}\n`;
  }
}
