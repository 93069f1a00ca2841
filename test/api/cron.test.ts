import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCron, type Cron, type CronField } from '../../src/api/index.ts';

const range = (lo: number, hi: number, step = 1) => Array.from({ length: Math.floor((hi - lo) / step) + 1 }, (_, i) => lo + i * step);
const all = { minute: range(0, 59), hour: range(0, 23), dayOfMonth: range(1, 31), month: range(1, 12), dayOfWeek: range(0, 6) };
const some = (values: number[]): CronField => ({ values, any: false });
const any = (key: keyof typeof all): CronField => ({ values: all[key], any: true });

/** The parsed form of an expression whose fields are `*` except those given. */
function cron(fields: Partial<Record<keyof Cron, number[] | CronField>>): Cron {
  const field = (key: keyof Cron): CronField => {
    const f = fields[key];
    if (f === undefined) return any(key);
    return Array.isArray(f) ? some(f) : f;
  };
  return { minute: field('minute'), hour: field('hour'), dayOfMonth: field('dayOfMonth'), month: field('month'), dayOfWeek: field('dayOfWeek') };
}

describe('parseCron', () => {
  const daily = cron({ minute: [0], hour: [0] });
  const valid: [string, Cron][] = [
    ['0 3 * * *', cron({ minute: [0], hour: [3] })],
    ['* * * * *', cron({})],
    ['  0   3\t* *  *  ', cron({ minute: [0], hour: [3] })],
    ['@daily', daily],
    ['@midnight', daily],
    [' @daily ', daily],
    ['@hourly', cron({ minute: [0] })],
    ['@weekly', cron({ minute: [0], hour: [0], dayOfWeek: [0] })],
    ['@monthly', cron({ minute: [0], hour: [0], dayOfMonth: [1] })],
    ['@yearly', cron({ minute: [0], hour: [0], dayOfMonth: [1], month: [1] })],
    ['@annually', cron({ minute: [0], hour: [0], dayOfMonth: [1], month: [1] })],
    ['*/15 * * * *', cron({ minute: [0, 15, 30, 45] })],
    ['*/7 * * * *', cron({ minute: range(0, 59, 7) })],
    ['*/100 * * * *', cron({ minute: [0] })],
    ['5/20 * * * *', cron({ minute: [5, 25, 45] })],
    ['0-59/30 * * * *', cron({ minute: [0, 30] })],
    ['0 9-17/2 * * 1-5/2', cron({ minute: [0], hour: [9, 11, 13, 15, 17], dayOfWeek: [1, 3, 5] })],
    ['0,30 8,12,18 * * *', cron({ minute: [0, 30], hour: [8, 12, 18] })],
    ['30,0,30 * * * *', cron({ minute: [0, 30] })],
    ['0 0 1,15 * *', cron({ minute: [0], hour: [0], dayOfMonth: [1, 15] })],
    ['0 0 1 jan,JUL *', cron({ minute: [0], hour: [0], dayOfMonth: [1], month: [1, 7] })],
    ['0 0 * jan-mar/2 *', cron({ minute: [0], hour: [0], month: [1, 3] })],
    ['0 0 31 dec *', cron({ minute: [0], hour: [0], dayOfMonth: [31], month: [12] })],
    ['0 0 * * mon-fri', cron({ minute: [0], hour: [0], dayOfWeek: [1, 2, 3, 4, 5] })],
    ['0 0 * * SUN,sat', cron({ minute: [0], hour: [0], dayOfWeek: [0, 6] })],
    ['0 0 * * 7', cron({ minute: [0], hour: [0], dayOfWeek: [0] })],
    ['0 0 * * 0,7', cron({ minute: [0], hour: [0], dayOfWeek: [0] })],
    ['0 0 * * 5-7', cron({ minute: [0], hour: [0], dayOfWeek: [0, 5, 6] })],
    ['0 0 ? * *', cron({ minute: [0], hour: [0] })],
    ['0 0 * * ?', cron({ minute: [0], hour: [0] })],
    ['59 23 31 12 6', cron({ minute: [59], hour: [23], dayOfMonth: [31], month: [12], dayOfWeek: [6] })],
  ];

  it.each(valid)('parses %j', (expression, expected) => {
    expect(parseCron(expression)).toEqual(expected);
  });

  it('marks only a bare * or ? as "any" (day-of-month/day-of-week semantics)', () => {
    const parsed = parseCron('*/1 * 1-31 * 0-6') as Cron;
    expect(parsed.minute).toEqual(some(all.minute));
    expect(parsed.hour.any).toBe(true);
    expect(parsed.dayOfMonth).toEqual(some(all.dayOfMonth));
    expect(parsed.dayOfWeek).toEqual(some(all.dayOfWeek));
  });

  // Each row: an expression and the whole message parseCron returns, or a recognisable part of it.
  const invalid: [string, RegExp][] = [
    ['', /^"" has 1 fields; a cron expression has 5: minute hour day-of-month month day-of-week$/],
    ['0 3 * *', /^"0 3 \* \*" has 4 fields; a cron expression has 5/],
    ['0 0 3 * * *', /^"0 0 3 \* \* \*" has 6 fields/],
    ['@every 5m', /has 2 fields/],
    ['@reboot', /has 1 fields/],
    ['60 * * * *', /^minute field "60": 60 is out of range 0-59$/],
    ['* 24 * * *', /^hour field "24": 24 is out of range 0-23$/],
    ['* * 0 * *', /^dayOfMonth field "0": 0 is out of range 1-31$/],
    ['* * 32 * *', /^dayOfMonth field "32": 32 is out of range 1-31$/],
    ['* * * 0 *', /^month field "0": 0 is out of range 1-12$/],
    ['* * * 13 *', /^month field "13": 13 is out of range 1-12$/],
    ['* * * * 8', /^dayOfWeek field "8": 8 is out of range 0-7$/],
    ['0,61 * * * *', /^minute field "0,61": 61 is out of range 0-59$/],
    ['0 5-1 * * *', /^hour field "5-1": range "5-1" goes backwards$/],
    ['* * * dec-jan *', /^month field "dec-jan": range "dec-jan" goes backwards$/],
    ['* * * * sat-mon', /^dayOfWeek field "sat-mon": range "sat-mon" goes backwards$/],
    ['*/0 * * * *', /^minute field "\*\/0": bad step "0"$/],
    ['*/ * * * *', /^minute field "\*\/": bad step ""$/],
    ['*/x * * * *', /bad step "x"/],
    ['*/-1 * * * *', /bad step "-1"/],
    ['*/1.5 * * * *', /bad step "1.5"/],
    ['1/2/3 * * * *', /^minute field "1\/2\/3": bad item "1\/2\/3"$/],
    [', * * * *', /^minute field ",": bad item ""$/],
    ['/5 * * * *', /bad item "\/5"/],
    ['1-2-3 * * * *', /^minute field "1-2-3": bad range "1-2-3"$/],
    ['-5 * * * *', /^minute field "-5": "" is not a number$/],
    ['x * * * *', /^minute field "x": "x" is not a number$/],
    ['jan * * * *', /^minute field "jan": "jan" is not a number$/],
    ['* * * foo *', /^month field "foo": "foo" is not a number or a name$/],
    ['* * * * monday', /^dayOfWeek field "monday": "monday" is not a number or a name$/],
    ['1.5 * * * *', /"1.5" is not a number/],
  ];

  it.each(invalid)('rejects %j', (expression, pattern) => {
    const result = parseCron(expression);
    expect(typeof result, JSON.stringify(result)).toBe('string');
    expect(result).toMatch(pattern);
  });

  // A step is a decimal number as in Kubernetes CronJobs (strconv.Atoi); Number() also reads
  // hexadecimal, exponents and surrounding blanks.
  it('rejects steps that are not plain decimal numbers', () => {
    const accepted = ['*/0x10 * * * *', '*/1e1 * * * *', '*/0b11 * * * *', '*/0o7 * * * *'].filter((e) => typeof parseCron(e) !== 'string');
    expect(accepted).toEqual([]);
  });

  // MACROS is a plain object literal: looking up "constructor" finds Object, not undefined.
  it('returns a message, never throws, for expressions naming Object.prototype members', () => {
    const outcomes = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'].map((e) => {
      try {
        return typeof parseCron(e);
      } catch (error) {
        return `threw ${String(error)}`;
      }
    });
    expect(outcomes).toEqual(['string', 'string', 'string', 'string', 'string']);
  });

  it('returns values in range, sorted and unique, or a message (property)', () => {
    const token = fc.constantFrom('*', '?', '0', '1', '5', '7', '12', '23', '31', '59', '60', 'jan', 'dec', 'mon', 'sun', 'x', '');
    const item = fc.tuple(token, fc.option(token), fc.option(fc.constantFrom('1', '2', '15', '0', 'x'))).map(([a, b, s]) => `${a}${b === null ? '' : `-${b}`}${s === null ? '' : `/${s}`}`);
    const field = fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => items.join(','));
    const expression = fc.array(field, { minLength: 4, maxLength: 6 }).map((fields) => fields.join(' '));
    const bounds: Record<keyof Cron, [number, number]> = { minute: [0, 59], hour: [0, 23], dayOfMonth: [1, 31], month: [1, 12], dayOfWeek: [0, 6] };
    fc.assert(fc.property(expression, (e) => {
      const result = parseCron(e);
      if (typeof result === 'string') return;
      for (const [key, [lo, hi]] of Object.entries(bounds) as [keyof Cron, [number, number]][]) {
        const { values } = result[key];
        expect(values.length).toBeGreaterThan(0);
        expect(values.every((v) => Number.isInteger(v) && v >= lo && v <= hi)).toBe(true);
        expect(values).toEqual([...new Set(values)].sort((a, b) => a - b));
      }
    }));
  });
});
