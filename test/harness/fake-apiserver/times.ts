// Timestamps of built-in kinds as the real server stores them: metav1.Time at second precision
// in UTC, metav1.MicroTime (events, leases) at microsecond precision. client-node sends Dates
// with milliseconds, so without this an unchanged status read back and re-sent would look like
// a change (a new resourceVersion and a watch event the real server would not produce).
import { isObject } from './types.ts';

const TIME_FIELDS = new Set([
  'creationTimestamp', 'deletionTimestamp', 'startTime', 'completionTime', 'lastProbeTime', 'lastTransitionTime',
  'startedAt', 'finishedAt', 'firstTimestamp', 'lastTimestamp', 'lastHeartbeatTime', 'lastUpdateTime', 'time',
  'lastScheduleTime', 'lastSuccessfulTime',
]);
const MICRO_TIME_FIELDS = new Set(['eventTime', 'renewTime', 'acquireTime', 'lastObservedTime']);
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i;

function seconds(value: string): string {
  const t = Date.parse(value);
  return Number.isNaN(t) ? value : new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
}

function micro(value: string): string {
  const m = STAMP.exec(value);
  if (!m) return value;
  if (m[3]!.toUpperCase() === 'Z') return `${m[1]}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
  const t = Date.parse(value);
  return Number.isNaN(t) ? value : new Date(t).toISOString().replace(/\.(\d+)Z$/, (_s, ms: string) => `.${ms.padEnd(6, '0')}Z`);
}

/** Normalizes every known timestamp field in place. */
export function normalizeTimes(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) normalizeTimes(item);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (typeof child === 'string') {
      if (TIME_FIELDS.has(key)) value[key] = seconds(child);
      else if (MICRO_TIME_FIELDS.has(key)) value[key] = micro(child);
    } else {
      normalizeTimes(child);
    }
  }
}
