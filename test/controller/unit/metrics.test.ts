// Metrics in the Prometheus text format: read back with a strict little parser — HELP and TYPE
// before each family's samples, escaped label values, histogram buckets cumulative with the +Inf
// bucket equal to the count.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ControllerMetrics, Counter, Gauge, Histogram } from '../../../src/controller/metrics.ts';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

interface Family {
  readonly name: string;
  help?: string;
  type?: string;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;

function unescape(s: string): string {
  return s.replace(/\\([\\"n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function value(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  expect(text, `sample value ${text}`).toMatch(/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/);
  return Number(text);
}

/** Parses the exposition text, failing the test on anything a Prometheus server would reject. */
function parse(text: string): Map<string, Family> {
  expect(text.endsWith('\n'), 'ends with a newline').toBe(true);
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, samples: [] }));
    return f;
  };
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, what, name, rest] = meta as unknown as [string, 'HELP' | 'TYPE', string, string];
      expect(name).toMatch(METRIC_NAME);
      const f = family(name);
      expect(f.samples, `${what} of ${name} before its samples`).toHaveLength(0);
      if (what === 'HELP') {
        expect(f.help, `one HELP for ${name}`).toBeUndefined();
        for (const e of rest.matchAll(/\\(.|$)/g)) expect(['\\', 'n'], `HELP escapes only \\\\ and \\n: ${rest}`).toContain(e[1]);
        f.help = rest.replace(/\\([\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
      } else {
        expect(f.type, `one TYPE for ${name}`).toBeUndefined();
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(rest);
        f.type = rest;
      }
      continue;
    }
    expect(line.startsWith('#'), `a comment: ${line}`).toBe(false);
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([\s\S]*)\})? (\S+)$/.exec(line);
    expect(m, `a sample line: ${JSON.stringify(line)}`).not.toBeNull();
    const [, name, labelText, v] = m as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    if (labelText) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < labelText.length) {
        const l = LABEL.exec(labelText);
        expect(l, `labels ${labelText}`).not.toBeNull();
        expect(labels, `label ${l![1]} once`).not.toHaveProperty(l![1]!);
        labels[l![1]!] = unescape(l![2]!);
      }
    }
    const base = [...families.keys()].find((f) => name === f || (families.get(f)!.type === 'histogram' && [`${f}_bucket`, `${f}_sum`, `${f}_count`].includes(name)));
    expect(base, `sample ${name} belongs to a family with HELP and TYPE`).toBeDefined();
    families.get(base!)!.samples.push({ name, labels, value: value(v) });
  }
  for (const f of families.values()) {
    expect(f.help, `HELP of ${f.name}`).toBeDefined();
    expect(f.type, `TYPE of ${f.name}`).toBeDefined();
  }
  return families;
}

/** Histogram series by their labels (le left out): buckets in order, sum and count. */
function histogramSeries(f: Family) {
  const series = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const k = JSON.stringify(Object.entries(rest).sort());
    let x = series.get(k);
    if (!x) series.set(k, (x = { buckets: [] }));
    if (s.name.endsWith('_bucket')) {
      expect(le, 'every bucket has le').toBeDefined();
      x.buckets.push([value(le!), s.value]);
    } else if (s.name.endsWith('_sum')) x.sum = s.value;
    else x.count = s.value;
  }
  return series;
}

function checkHistogram(f: Family) {
  expect(f.type).toBe('histogram');
  for (const [k, s] of histogramSeries(f)) {
    const les = s.buckets.map(([le]) => le);
    expect(les, `${k}: buckets in increasing order`).toEqual([...les].sort((a, b) => a - b));
    expect(les.at(-1), `${k}: the last bucket is +Inf`).toBe(Number.POSITIVE_INFINITY);
    s.buckets.forEach(([, c], i) => {
      if (i > 0) expect(c, `${k}: cumulative`).toBeGreaterThanOrEqual(s.buckets[i - 1]![1]);
    });
    expect(s.buckets.at(-1)![1], `${k}: +Inf = count`).toBe(s.count);
    expect(s.sum, `${k}: a sum`).toBeDefined();
  }
}

describe('ControllerMetrics.render()', () => {
  it('is valid text before anything happened: every family with HELP and TYPE', () => {
    const families = parse(new ControllerMetrics().render());
    expect([...families.keys()].sort()).toEqual([
      'kayci_api_errors_total', 'kayci_api_requests_total', 'kayci_feedback_requests_total', 'kayci_informer_relists_total', 'kayci_informer_restarts_total',
      'kayci_job_duration_seconds', 'kayci_leader', 'kayci_queue_depth', 'kayci_reconciles_total', 'kayci_run_duration_seconds', 'kayci_runs',
    ]);
    for (const f of families.values()) expect(f.help!.length).toBeGreaterThan(0);
    expect(families.get('kayci_api_requests_total')!.type).toBe('counter');
    expect(families.get('kayci_runs')!.type).toBe('gauge');
    expect(families.get('kayci_run_duration_seconds')!.type).toBe('histogram');
  });

  it('is valid text after a busy while, and says what happened', () => {
    const m = new ControllerMetrics();
    m.apiRequests.inc({ verb: 'create', code: '201' });
    m.apiRequests.inc({ verb: 'create', code: '201' });
    m.apiRequests.inc({ code: '0', verb: 'get' });
    m.apiErrors.inc({ verb: 'get', reason: 'Timeout' });
    m.reconciles.inc({ kind: 'Run', result: 'ok' }, 5);
    m.leader.set({}, 1);
    m.runsByPhase.collectWith(() => [[{ phase: 'Running' }, 3], [{ phase: 'Succeeded' }, 10]]);
    m.queueDepth.set({ queue: 'runs' }, 0);
    for (const s of [0.5, 1, 1.5, 59, 60, 4000]) m.runDuration.observe({ phase: 'Succeeded' }, s);
    m.runDuration.observe({ phase: 'Failed' }, 7);
    m.informerRestarts.inc({ resource: 'jobs' });
    const families = parse(m.render());
    const samples = (name: string) => families.get(name)!.samples;
    expect(samples('kayci_api_requests_total')).toEqual([
      { name: 'kayci_api_requests_total', labels: { code: '201', verb: 'create' }, value: 2 },
      { name: 'kayci_api_requests_total', labels: { code: '0', verb: 'get' }, value: 1 },
    ]);
    expect(samples('kayci_runs').map((s) => [s.labels.phase, s.value])).toEqual([['Running', 3], ['Succeeded', 10]]);
    expect(samples('kayci_leader')).toEqual([{ name: 'kayci_leader', labels: {}, value: 1 }]);
    expect(samples('kayci_reconciles_total')[0]!.value).toBe(5);
    checkHistogram(families.get('kayci_run_duration_seconds')!);
    const succeeded = histogramSeries(families.get('kayci_run_duration_seconds')!).get(JSON.stringify([['phase', 'Succeeded']]))!;
    // le is inclusive: 1 is in the 1-bucket, 60 in the 60-bucket; 4000 only in +Inf.
    expect(Object.fromEntries(succeeded.buckets.map(([le, c]) => [String(le), c]))).toEqual({
      '1': 2, '5': 3, '15': 3, '30': 3, '60': 5, '120': 5, '300': 5, '600': 5, '1200': 5, '1800': 5, '3600': 5, Infinity: 6,
    });
    expect(succeeded.sum).toBe(4122);
    expect(succeeded.count).toBe(6);
  });

  it('treats label sets with the same labels in another order as one series', () => {
    const c = new Counter('x_total', 'x');
    c.inc({ a: '1', b: '2' });
    c.inc({ b: '2', a: '1' });
    expect(c.get({ b: '2', a: '1' })).toBe(2);
    expect(parse(`${c.render().join('\n')}\n`).get('x_total')!.samples).toHaveLength(1);
  });
});

describe('label values and help text', () => {
  const nasty = ['plain', 'with "quotes"', 'back\\slash', 'new\nline', 'all: \\" \n \\n', 'ünïcödé ✓', '{}=,', ''];

  it.each(nasty)('label value %j survives the round trip', (v) => {
    const c = new Counter('t_total', 'help');
    c.inc({ key: v, other: 'x' });
    const [sample] = parse(`${c.render().join('\n')}\n`).get('t_total')!.samples;
    expect(sample!.labels).toEqual({ key: v, other: 'x' });
  });

  it('any label values survive, in counters, gauges and histograms', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
        const c = new Counter('c_total', 'c');
        const g = new Gauge('g', 'g');
        const h = new Histogram('h_seconds', 'h', [1, 2]);
        c.inc({ a, b });
        g.set({ a, b }, 1);
        h.observe({ a, b }, 1.5);
        const families = parse(`${[...c.render(), ...g.render(), ...h.render()].join('\n')}\n`);
        for (const name of ['c_total', 'g', 'h_seconds']) for (const s of families.get(name)!.samples) expect(s.labels).toMatchObject({ a, b });
        checkHistogram(families.get('h_seconds')!);
      }),
    );
  });

  it('escapes backslashes and newlines in HELP', () => {
    const g = new Gauge('g', 'first line\nsecond \\ line');
    const families = parse(`${g.render().join('\n')}\n`);
    expect(families.get('g')!.help).toBe('first line\nsecond \\ line');
  });

  it('spells odd values as +Inf, -Inf and NaN', () => {
    const g = new Gauge('g', 'g');
    g.set({ v: 'pos' }, Number.POSITIVE_INFINITY);
    g.set({ v: 'neg' }, Number.NEGATIVE_INFINITY);
    g.set({ v: 'nan' }, Number.NaN);
    g.set({ v: 'tiny' }, 1e-7);
    const samples = parse(`${g.render().join('\n')}\n`).get('g')!.samples;
    expect(samples.map((s) => [s.labels.v, s.value])).toEqual([['pos', Infinity], ['neg', -Infinity], ['nan', NaN], ['tiny', 1e-7]]);
  });
});

describe('Histogram', () => {
  it('keeps buckets cumulative and +Inf equal to the count, whatever is observed', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.double({ min: 0.001, max: 1000, noNaN: true }), { minLength: 1, maxLength: 8 }).map((b) => b.sort((x, y) => x - y)),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.double({ min: 0, max: 2000, noNaN: true })), { maxLength: 60 }),
        (buckets, observations) => {
          const h = new Histogram('d_seconds', 'd', buckets);
          for (const [l, v] of observations) h.observe({ l }, v);
          const f = parse(`${h.render().join('\n')}\n`).get('d_seconds')!;
          checkHistogram(f);
          for (const [k, s] of histogramSeries(f)) {
            const l = (JSON.parse(k) as [string, string][])[0]![1];
            const mine = observations.filter(([x]) => x === l).map(([, v]) => v);
            expect(s.count).toBe(mine.length);
            s.buckets.forEach(([le, c]) => expect(c).toBe(mine.filter((v) => v <= le).length));
          }
        },
      ),
    );
  });

  it('renders a series without labels', () => {
    const h = new Histogram('plain_seconds', 'p', [1]);
    h.observe({}, 0.25);
    expect(h.render()).toEqual([
      '# HELP plain_seconds p',
      '# TYPE plain_seconds histogram',
      'plain_seconds_bucket{le="1"} 1',
      'plain_seconds_bucket{le="+Inf"} 1',
      'plain_seconds_sum 0.25',
      'plain_seconds_count 1',
    ]);
  });
});
