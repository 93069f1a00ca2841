// nextTick(): the next instant a cron expression fires, in UTC and in time zones with DST —
// a table of hand-checked ticks, then a property against a brute-force matcher that reads the
// wall clock of every minute with its own Intl formatter.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nextTick, parseCron, type Cron } from '../../../src/api/v1alpha1/cron.ts';

const MINUTE = 60_000;

function cron(expression: string): Cron {
  const parsed = parseCron(expression);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z'));

/** expression, time zone, start (exclusive), the ticks that follow (undefined: never). */
type Row = [string, string, string, (string | undefined)[]];

const utc: Row[] = [
  ['* * * * *', 'UTC', '2024-05-01T10:00:00Z', ['2024-05-01T10:01:00Z', '2024-05-01T10:02:00Z']],
  ['* * * * *', 'UTC', '2024-05-01T10:00:30.500Z', ['2024-05-01T10:01:00Z']],
  ['* * * * *', 'UTC', '2024-05-01T10:00:59.999Z', ['2024-05-01T10:01:00Z']],
  ['0 3 * * *', 'UTC', '2024-05-01T02:59:59.999Z', ['2024-05-01T03:00:00Z', '2024-05-02T03:00:00Z']],
  ['0 3 * * *', 'UTC', '2024-05-01T03:00:00Z', ['2024-05-02T03:00:00Z']],
  ['*/15 * * * *', 'UTC', '2024-05-01T10:07:00Z', ['2024-05-01T10:15:00Z', '2024-05-01T10:30:00Z', '2024-05-01T10:45:00Z', '2024-05-01T11:00:00Z']],
  ['5/20 9-10 * * *', 'UTC', '2024-05-01T09:45:00Z', ['2024-05-01T10:05:00Z', '2024-05-01T10:25:00Z', '2024-05-01T10:45:00Z', '2024-05-02T09:05:00Z']],
  ['@hourly', 'UTC', '2024-05-01T23:30:00Z', ['2024-05-02T00:00:00Z']],
  ['@daily', 'UTC', '2024-12-31T00:00:00Z', ['2025-01-01T00:00:00Z']],
  ['@monthly', 'UTC', '2024-01-31T12:00:00Z', ['2024-02-01T00:00:00Z', '2024-03-01T00:00:00Z']],
  ['@yearly', 'UTC', '2024-05-01T00:00:00Z', ['2025-01-01T00:00:00Z']],
  ['59 23 31 12 *', 'UTC', '2024-05-01T00:00:00Z', ['2024-12-31T23:59:00Z', '2025-12-31T23:59:00Z']],
  // 2024-05-01 is a Wednesday.
  ['0 9 * * mon-fri', 'UTC', '2024-05-03T09:00:00Z', ['2024-05-06T09:00:00Z', '2024-05-07T09:00:00Z']],
  ['@weekly', 'UTC', '2024-05-01T00:00:00Z', ['2024-05-05T00:00:00Z', '2024-05-12T00:00:00Z']],
  ['0 0 * * 7', 'UTC', '2024-05-01T00:00:00Z', ['2024-05-05T00:00:00Z']],
  ['0 12 * 2 *', 'UTC', '2024-05-01T00:00:00Z', ['2025-02-01T12:00:00Z', '2025-02-02T12:00:00Z']],
  // Both day fields restricted: either one matches (the 13th, or any Friday).
  ['0 0 13 * 5', 'UTC', '2024-05-01T00:00:00Z', ['2024-05-03T00:00:00Z', '2024-05-10T00:00:00Z', '2024-05-13T00:00:00Z', '2024-05-17T00:00:00Z']],
  // Only one restricted: that one alone.
  ['0 0 13 * *', 'UTC', '2024-05-01T00:00:00Z', ['2024-05-13T00:00:00Z', '2024-06-13T00:00:00Z']],
  ['0 0 * * 5', 'UTC', '2024-05-10T00:00:00Z', ['2024-05-17T00:00:00Z']],
  ['0 0 ? * 5', 'UTC', '2024-05-10T00:00:00Z', ['2024-05-17T00:00:00Z']],
  // Month-ends and leap days.
  ['0 0 31 * *', 'UTC', '2024-04-01T00:00:00Z', ['2024-05-31T00:00:00Z', '2024-07-31T00:00:00Z', '2024-08-31T00:00:00Z']],
  ['0 0 29 2 *', 'UTC', '2024-01-01T00:00:00Z', ['2024-02-29T00:00:00Z', '2028-02-29T00:00:00Z']],
  ['0 0 29 2 *', 'UTC', '2025-03-01T00:00:00Z', ['2028-02-29T00:00:00Z']],
  ['0 0 29 2 *', 'UTC', '2096-03-01T00:00:00Z', ['2104-02-29T00:00:00Z']],
  // Dates no month has: never.
  ['0 0 30 2 *', 'UTC', '2024-01-01T00:00:00Z', [undefined]],
  ['0 0 31 2 *', 'UTC', '2024-01-01T00:00:00Z', [undefined]],
  ['0 0 31 4,6,9,11 *', 'UTC', '2024-01-01T00:00:00Z', [undefined]],
  ['0 0 30,31 feb *', 'UTC', '2024-01-01T00:00:00Z', [undefined]],
  // …unless a weekday may match instead: Mondays in February.
  ['0 0 30 2 1', 'UTC', '2024-05-01T00:00:00Z', ['2025-02-03T00:00:00Z', '2025-02-10T00:00:00Z']],
];

// Europe/Berlin 2024: CET (+1) → CEST (+2) on Sunday 31 March at 02:00 (01:00Z); back on
// Sunday 27 October at 03:00 CEST → 02:00 CET (01:00Z).
const berlin: Row[] = [
  ['0 9 * * *', 'Europe/Berlin', '2024-07-01T00:00:00Z', ['2024-07-01T07:00:00Z']],
  ['0 9 * * *', 'Europe/Berlin', '2024-01-15T00:00:00Z', ['2024-01-15T08:00:00Z']],
  ['0 0 1 1 *', 'Europe/Berlin', '2024-12-31T22:59:00Z', ['2024-12-31T23:00:00Z']],
  // Spring forward: 02:30 does not exist on the 31st, so that day has no tick.
  ['30 2 * * *', 'Europe/Berlin', '2024-03-30T12:00:00Z', ['2024-04-01T00:30:00Z']],
  ['0 1 * * *', 'Europe/Berlin', '2024-03-30T12:00:00Z', ['2024-03-31T00:00:00Z', '2024-03-31T23:00:00Z']],
  ['0 3 * * *', 'Europe/Berlin', '2024-03-30T12:00:00Z', ['2024-03-31T01:00:00Z', '2024-04-01T01:00:00Z']],
  // (In 2025 the change comes on the 30th, so the 31st is CEST all day.)
  ['*/30 1-3 31 3 *', 'Europe/Berlin', '2024-03-30T23:59:00Z', ['2024-03-31T00:00:00Z', '2024-03-31T00:30:00Z', '2024-03-31T01:00:00Z', '2024-03-31T01:30:00Z', '2025-03-30T23:00:00Z']],
  // The day is 23 hours long: skipping to the next midnight must not overshoot it.
  ['0 0 1 4 *', 'Europe/Berlin', '2024-03-30T23:30:00Z', ['2024-03-31T22:00:00Z']],
  ['0 0 * * 1', 'Europe/Berlin', '2024-03-30T23:30:00Z', ['2024-03-31T22:00:00Z', '2024-04-07T22:00:00Z']],
  // Fall back: 02:00–02:59 happens twice, and so does a tick in it.
  ['30 2 * * *', 'Europe/Berlin', '2024-10-26T12:00:00Z', ['2024-10-27T00:30:00Z', '2024-10-27T01:30:00Z', '2024-10-28T01:30:00Z']],
  ['0 0 * * 1', 'Europe/Berlin', '2024-10-26T22:30:00Z', ['2024-10-27T23:00:00Z']],
  ['0 4 27 10 *', 'Europe/Berlin', '2024-10-26T22:30:00Z', ['2024-10-27T03:00:00Z']],
];

// America/New_York 2024: EST (-5) → EDT (-4) on Sunday 10 March at 02:00 (07:00Z); back on
// Sunday 3 November at 02:00 EDT → 01:00 EST (06:00Z).
const newYork: Row[] = [
  ['0 9 * * mon-fri', 'America/New_York', '2024-05-03T13:00:00Z', ['2024-05-06T13:00:00Z']],
  ['30 2 * * *', 'America/New_York', '2024-03-09T12:00:00Z', ['2024-03-11T06:30:00Z']],
  ['0 0 * * 0', 'America/New_York', '2024-03-09T12:00:00Z', ['2024-03-10T05:00:00Z', '2024-03-17T04:00:00Z']],
  ['0 0 * * 1', 'America/New_York', '2024-03-10T05:30:00Z', ['2024-03-11T04:00:00Z']],
  ['30 1 * * *', 'America/New_York', '2024-11-02T12:00:00Z', ['2024-11-03T05:30:00Z', '2024-11-03T06:30:00Z', '2024-11-04T06:30:00Z']],
  ['0 0 4 11 *', 'America/New_York', '2024-11-03T04:30:00Z', ['2024-11-04T05:00:00Z']],
];

// Odd offsets and odd transitions.
const elsewhere: Row[] = [
  ['0 0 * * *', 'Asia/Kolkata', '2024-05-01T00:00:00Z', ['2024-05-01T18:30:00Z']],
  ['0 0 * * *', 'Asia/Kathmandu', '2024-05-01T00:00:00Z', ['2024-05-01T18:15:00Z']],
  // Santiago springs forward at midnight (Saturday 7 September 2024, 24:00 → 01:00): that
  // Sunday has no 00:00, so neither has it a midnight tick.
  ['0 0 * * *', 'America/Santiago', '2024-09-07T12:00:00Z', ['2024-09-09T03:00:00Z']],
  ['0 1 8 9 *', 'America/Santiago', '2024-09-07T16:00:00Z', ['2024-09-08T04:00:00Z']],
  // Lord Howe moves by half an hour (Sunday 6 October 2024, 02:00 → 02:30, +10:30 → +11).
  ['15 2 * * *', 'Australia/Lord_Howe', '2024-10-05T12:00:00Z', ['2024-10-06T15:15:00Z']],
  ['45 2 * * *', 'Australia/Lord_Howe', '2024-10-05T12:00:00Z', ['2024-10-05T15:45:00Z', '2024-10-06T15:45:00Z']],
];

const rows = [...utc, ...berlin, ...newYork, ...elsewhere];

describe('nextTick()', () => {
  it.each(rows)('%s in %s after %s', (expression, timeZone, start, want) => {
    const c = cron(expression);
    const got: (string | undefined)[] = [];
    let t: number | undefined = Date.parse(start);
    for (const _ of want) {
      const next: number | undefined = nextTick(c, t!, timeZone);
      got.push(iso(next));
      if (next === undefined) break;
      expect(next).toBeGreaterThan(t!);
      expect(next % MINUTE).toBe(0);
      t = next;
    }
    expect(got).toEqual(want);
  });

  it('answers "never" fast', () => {
    const started = performance.now();
    for (const e of ['0 0 30 2 *', '0 0 31 4,6,9,11 *']) expect(nextTick(cron(e), 0, 'Europe/Berlin')).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: the ticks nextTick chains together are exactly the minutes the brute-force matcher
// finds, over a short window, often across a DST transition.

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock at `ms` in `timeZone`, read with a formatter of our own. */
function wall(ms: number, timeZone: string) {
  let f = wallFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    wallFormats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
  const year = p.year!;
  const month = p.month!;
  const day = p.day!;
  // The weekday from the calendar date, not from Intl's weekday names.
  return { minute: p.minute!, hour: p.hour! % 24, day, month, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() };
}

function matches(c: Cron, ms: number, timeZone: string): boolean {
  const w = wall(ms, timeZone);
  const dom = c.dayOfMonth.values.includes(w.day);
  const dow = c.dayOfWeek.values.includes(w.weekday);
  const day = !c.dayOfMonth.any && !c.dayOfWeek.any ? dom || dow : dom && dow;
  return day && c.month.values.includes(w.month) && c.hour.values.includes(w.hour) && c.minute.values.includes(w.minute);
}

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham', 'America/St_Johns'];

/** Around DST transitions of those zones (roughly: the offset below moves the start ± 2 days). */
const TRANSITIONS = [
  '2024-03-31T01:00:00Z', '2024-10-27T01:00:00Z', '2024-03-10T07:00:00Z', '2024-11-03T06:00:00Z',
  '2024-04-07T03:00:00Z', '2024-09-08T04:00:00Z', '2024-04-06T15:00:00Z', '2024-10-05T15:30:00Z',
  '2024-04-06T14:00:00Z', '2024-09-28T14:00:00Z', '2024-03-10T05:30:00Z', '2024-11-03T04:30:00Z',
].map(Date.parse);

/** One field: `*` mostly, else a value, a list, a range or a step within [lo, hi]. */
function field(lo: number, hi: number, star: number) {
  const v = fc.integer({ min: lo, max: hi });
  return fc.oneof(
    { weight: star, arbitrary: fc.constant('*') },
    { weight: 2, arbitrary: v.map(String) },
    { weight: 2, arbitrary: fc.uniqueArray(v, { minLength: 2, maxLength: 4 }).map((xs) => xs.join(',')) },
    { weight: 1, arbitrary: fc.tuple(v, v).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('*', String(lo)), fc.integer({ min: 2, max: Math.max(2, Math.floor((hi - lo) / 2)) })).map(([s, n]) => `${s}/${n}`) },
  );
}

const expression = fc
  .tuple(field(0, 59, 2), field(0, 23, 3), field(1, 31, 6), field(1, 12, 8), field(0, 7, 5))
  .map((parts) => parts.join(' '));

const start = fc.oneof(
  fc.tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -2 * 24 * 60, max: 24 * 60 }), fc.integer({ min: 0, max: 59_999 })).map(([t, m, ms]) => t + m * MINUTE + ms),
  fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') }),
);

describe('nextTick() against a brute-force matcher', () => {
  it('is strictly later, on a whole minute, and skips no tick', () => {
    fc.assert(
      fc.property(expression, start, fc.constantFrom(...ZONES), fc.integer({ min: 1, max: 36 * 60 }), (text, from, timeZone, windowMinutes) => {
        const c = cron(text);
        const end = from + windowMinutes * MINUTE;
        const brute: number[] = [];
        for (let m = Math.floor(from / MINUTE) * MINUTE + MINUTE; m <= end; m += MINUTE) if (matches(c, m, timeZone)) brute.push(m);
        const ticks: number[] = [];
        for (let t = nextTick(c, from, timeZone); t !== undefined; t = nextTick(c, t, timeZone)) {
          expect(t % MINUTE).toBe(0);
          expect(t).toBeGreaterThan(ticks.at(-1) ?? from);
          if (t > end) break;
          ticks.push(t);
        }
        expect(ticks.map(iso)).toEqual(brute.map(iso));
      }),
      { numRuns: 200 },
    );
  });

  it('skips no tick in the small hours around a DST change on days the expression skips', () => {
    // Where a day's wall clock and its length disagree: skipping a day that does not match
    // must land on the next midnight, not an hour past it.
    const changes: [string, string][] = [
      ['Europe/Berlin', '2024-03-31T01:00:00Z'], ['Europe/Berlin', '2024-10-27T01:00:00Z'],
      ['America/New_York', '2024-03-10T07:00:00Z'], ['America/New_York', '2024-11-03T06:00:00Z'],
      ['America/Santiago', '2024-09-08T04:00:00Z'], ['America/Santiago', '2024-04-07T03:00:00Z'],
      ['Australia/Lord_Howe', '2024-10-05T15:30:00Z'], ['Australia/Lord_Howe', '2024-04-06T15:00:00Z'],
    ];
    const small = fc.tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 4 }));
    const days = fc.oneof(
      fc.integer({ min: 0, max: 6 }).map((d) => `* * ${d}`),
      fc.integer({ min: 1, max: 31 }).map((d) => `${d} * *`),
    );
    fc.assert(
      fc.property(fc.constantFrom(...changes), small, days, fc.integer({ min: 0, max: 30 * 60 }), ([timeZone, change], [m, h], d, before) => {
        const c = cron(`${m} ${h} ${d}`);
        const from = Date.parse(change) - before * MINUTE;
        const end = from + 2 * 24 * 60 * MINUTE;
        const brute: number[] = [];
        for (let t = from + MINUTE; t <= end; t += MINUTE) if (matches(c, t, timeZone)) brute.push(t);
        const ticks: number[] = [];
        for (let t = nextTick(c, from, timeZone); t !== undefined && t <= end; t = nextTick(c, t, timeZone)) ticks.push(t);
        expect(ticks.map(iso)).toEqual(brute.map(iso));
      }),
      { numRuns: 100 },
    );
  });

  it('finds the next tick even when it is far off (a rare date)', () => {
    fc.assert(
      fc.property(fc.constantFrom('0 0 29 2 *', '30 12 31 12 *', '0 0 1 1 *', '15 3 15 6 *'), start, fc.constantFrom(...ZONES), (text, from, timeZone) => {
        const c = cron(text);
        const t = nextTick(c, from, timeZone);
        expect(t).toBeDefined();
        expect(t!).toBeGreaterThan(from);
        expect(matches(c, t!, timeZone)).toBe(true);
        // …and nothing fires in the two days before it.
        for (let m = t! - MINUTE; m > Math.max(from, t! - 2 * 24 * 60 * MINUTE); m -= MINUTE) expect(matches(c, m, timeZone)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});
