// Five-field cron expressions (minute hour day-of-month month day-of-week), as Kubernetes
// CronJobs accept them: numbers, `*`, ranges `a-b`, steps `/n`, lists `a,b`, and month and
// weekday names. Parsing only; the Trigger reconciler computes ticks from the parsed form.

export interface CronField {
  /** Allowed values, sorted. */
  values: number[];
  /** True when the field was `*` (matters for day-of-month/day-of-week "or" semantics). */
  any: boolean;
}

export interface Cron {
  minute: CronField;
  hour: CronField;
  dayOfMonth: CronField;
  month: CronField;
  dayOfWeek: CronField;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const FIELDS = [
  { key: 'minute', min: 0, max: 59 },
  { key: 'hour', min: 0, max: 23 },
  { key: 'dayOfMonth', min: 1, max: 31 },
  { key: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { key: 'dayOfWeek', min: 0, max: 7, names: DAYS, nameBase: 0 },
] as const;

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** The parsed expression, or a message saying what is wrong with it. */
export function parseCron(expression: string): Cron | string {
  const trimmed = expression.trim();
  const text = Object.hasOwn(MACROS, trimmed) ? MACROS[trimmed]! : trimmed;
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return `${JSON.stringify(expression)} has ${parts.length} fields; a cron expression has 5: minute hour day-of-month month day-of-week`;
  const out: Partial<Cron> = {};
  for (const [i, spec] of FIELDS.entries()) {
    const parsed = parseField(parts[i]!, spec);
    if (typeof parsed === 'string') return `${spec.key} field ${JSON.stringify(parts[i])}: ${parsed}`;
    out[spec.key] = parsed;
  }
  const cron = out as Cron;
  // Sunday is 0 or 7.
  cron.dayOfWeek.values = [...new Set(cron.dayOfWeek.values.map((d) => d % 7))].sort((a, b) => a - b);
  return cron;
}

interface FieldSpec {
  min: number;
  max: number;
  names?: readonly string[];
  nameBase?: number;
}

function parseField(text: string, spec: FieldSpec): CronField | string {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '') return `bad item ${JSON.stringify(item)}`;
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) ? Number(stepText) : Number.NaN;
    if (!Number.isInteger(step) || step < 1) return `bad step ${JSON.stringify(stepText)}`;
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = spec.min;
      hi = spec.max;
    } else {
      const [a, b, more] = range.split('-');
      if (more !== undefined) return `bad range ${JSON.stringify(range)}`;
      const first = value(a!, spec);
      const last = b === undefined ? (stepText === undefined ? first : spec.max) : value(b, spec);
      if (typeof first === 'string') return first;
      if (typeof last === 'string') return last;
      lo = first;
      hi = last;
      if (lo > hi) return `range ${JSON.stringify(range)} goes backwards`;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values: [...values].sort((a, b) => a - b), any: text === '*' || text === '?' };
}

function value(text: string, spec: FieldSpec): number | string {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (spec.nameBase ?? 0);
  if (!/^\d+$/.test(text)) return `${JSON.stringify(text)} is not a number${spec.names ? ' or a name' : ''}`;
  const n = Number(text);
  if (n < spec.min || n > spec.max) return `${n} is out of range ${spec.min}-${spec.max}`;
  return n;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

interface WallClock {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function wallClock(ms: number, timeZone: string): WallClock {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return { minute: Number(parts.minute), hour: Number(parts.hour), day: Number(parts.day), month: Number(parts.month), weekday: WEEKDAYS[parts.weekday!] ?? 0 };
}

function dayMatches(cron: Cron, w: WallClock): boolean {
  const dom = cron.dayOfMonth.values.includes(w.day);
  const dow = cron.dayOfWeek.values.includes(w.weekday);
  // Standard cron: when both day fields are restricted, either one may match.
  if (!cron.dayOfMonth.any && !cron.dayOfWeek.any) return dom || dow;
  return dom && dow;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Most days of each month (February: 29), to tell impossible dates from rare ones. */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** False when no allowed month has the day of month asked for, e.g. `0 0 30 2 *`. */
function possible(cron: Cron): boolean {
  // Only a restricted day-of-month with a `*` day-of-week can ask for a date that never comes:
  // with both restricted either one may match, and every weekday comes round.
  if (cron.dayOfMonth.any || !cron.dayOfWeek.any) return true;
  const first = cron.dayOfMonth.values[0] ?? 32;
  return cron.month.values.some((m) => MONTH_DAYS[m - 1]! >= first);
}

/**
 * The first instant strictly after `afterMs`, on a whole minute, when `cron` fires in
 * `timeZone`; undefined if it never fires (e.g. `0 0 30 2 *`). A wall-clock time a DST gap skips
 * does not fire that day; one a fall-back repeats fires twice.
 */
export function nextTick(cron: Cron, afterMs: number, timeZone = 'UTC'): number | undefined {
  if (!possible(cron)) return undefined;
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  // February 29 may be eight years away (2096 to 2104).
  const limit = afterMs + (8 * 366 + 1) * DAY;
  while (t <= limit) {
    const w = wallClock(t, timeZone);
    if (!cron.month.values.includes(w.month) || !dayMatches(cron, w)) {
      // Skip to the next local midnight. A day with a DST gap is shorter than its wall clock
      // says: landing past midnight, step back by as much (unless midnight itself is skipped).
      const jump = ((23 - w.hour) * 60 + (60 - w.minute)) * MINUTE;
      const landed = wallClock(t + jump, timeZone);
      const over = landed.day === w.day ? 0 : (landed.hour * 60 + landed.minute) * MINUTE;
      t += over < jump ? jump - over : jump;
      continue;
    }
    if (!cron.hour.values.includes(w.hour)) {
      t += (60 - w.minute) * MINUTE;
      continue;
    }
    if (!cron.minute.values.includes(w.minute)) {
      t += MINUTE;
      continue;
    }
    return t;
  }
  return undefined;
}
