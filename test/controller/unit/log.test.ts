// Structured logs: one JSON object per line, levels filtered, errors as their message, fields
// from `with()` carried along — and logging never throws nor lets a field forge time, level or msg.
import { describe, expect, it } from 'vitest';
import { jsonLogger, silentLogger, type Level } from '../../../src/controller/log.ts';

const NOW = new Date('2024-05-01T10:00:00.000Z');

function capture(level?: Level) {
  const lines: string[] = [];
  const log = jsonLogger((l) => lines.push(l), level, {}, () => NOW);
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('jsonLogger()', () => {
  it('writes one JSON object a line: time, level, msg first, then the fields', () => {
    const { log, lines } = capture();
    log.info('job created', { run: 'r1', namespace: 'ci', attempts: 2 });
    expect(lines).toEqual(['{"time":"2024-05-01T10:00:00.000Z","level":"info","msg":"job created","run":"r1","namespace":"ci","attempts":2}\n']);
  });

  it.each<[Level, string[]]>([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ])('at level %s writes %j', (level, want) => {
    const { log, records } = capture(level);
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(records().map((r) => r.level)).toEqual(want);
  });

  it('writes an Error as its message', () => {
    const { log, records } = capture();
    log.error('reconcile failed', { error: new Error('etcd leader changed') });
    expect(records()[0]!.error).toBe('etcd leader changed');
  });

  it('carries fields of with(), nested, and lets a call\'s own fields win', () => {
    const { log, records } = capture();
    const run = log.with({ run: 'r1', namespace: 'ci' }).with({ job: 'build' });
    run.info('started', { job: 'test' });
    expect(records()[0]).toEqual({ time: NOW.toISOString(), level: 'info', msg: 'started', run: 'r1', namespace: 'ci', job: 'test' });
  });

  it('keeps its own time, level and msg whatever the fields say', () => {
    const { log, lines } = capture();
    log.with({ level: 'debug' }).warn('disk full', { time: 'never', msg: 'all good', level: 'info' });
    expect(JSON.parse(lines[0]!)).toMatchObject({ time: NOW.toISOString(), level: 'warn', msg: 'disk full' });
    expect(lines[0]!.startsWith('{"time":')).toBe(true);
  });

  it('never throws for a field JSON cannot hold', () => {
    const { log, records } = capture();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(() => log.error('odd fields', { cyclic, big: 10n, fine: 'yes' })).not.toThrow();
    expect(records()[0]).toMatchObject({ msg: 'odd fields', big: '10', fine: 'yes', cyclic: '[object Object]' });
  });

  it('silentLogger writes nothing and stays silent with fields', () => {
    expect(() => silentLogger.with({ a: 1 }).error('x', { error: new Error('y') })).not.toThrow();
  });
});
