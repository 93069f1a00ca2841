// Structured JSON logs, one object per line: time, level, msg, and fields such as run and job.

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  with(fields: Record<string, unknown>): Logger;
}

export function jsonLogger(write: (line: string) => void = (l) => process.stderr.write(l), level: Level = 'info', base: Record<string, unknown> = {}, now: () => Date = () => new Date()): Logger {
  const emit = (lvl: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const time = now().toISOString();
    const record: Record<string, unknown> = { time, level: lvl, msg, ...base, ...fields };
    // Fields cannot forge the record's own keys (they keep their place first).
    Object.assign(record, { time, level: lvl, msg });
    if (record.error instanceof Error) record.error = record.error.message;
    write(`${serialize(record)}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    with: (fields) => jsonLogger(write, level, { ...base, ...fields }, now),
  };
}

/** JSON of the record; a field JSON cannot hold (a cycle, a BigInt) is written as text: logging never throws. */
function serialize(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record);
  } catch {
    return JSON.stringify(Object.fromEntries(Object.entries(record).map(([k, v]) => {
      try {
        JSON.stringify(v);
        return [k, v];
      } catch {
        return [k, String(v)];
      }
    })));
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, with: () => silentLogger };
