// validateTrigger: every error in a Trigger, each with its field path.
import { parseCron } from '../cron.ts';
import type { FieldError } from '../../errors.ts';
import { isObject, validateObject } from './object.ts';
import { TRIGGER_SCHEMA } from './schemas.ts';

export function validateTrigger(obj: unknown): FieldError[] {
  const errors = validateObject('Trigger', TRIGGER_SCHEMA, obj, 'subdomain');
  const spec = isObject(obj) && isObject(obj.spec) ? obj.spec : undefined;
  if (!spec) return errors;
  if (!spec.webhook && !spec.schedule) {
    errors.push({ path: 'spec', message: 'Required value: a Trigger needs a webhook, a schedule, or both' });
  }
  if (spec.commands !== undefined && !spec.webhook) {
    errors.push({ path: 'spec.commands', message: 'Invalid value: comment commands arrive by webhook; add spec.webhook' });
  }
  const schedule = isObject(spec.schedule) ? spec.schedule : undefined;
  if (schedule && typeof schedule.cron === 'string') {
    const parsed = parseCron(schedule.cron);
    if (typeof parsed === 'string') errors.push({ path: 'spec.schedule.cron', message: `Invalid value: ${parsed}` });
  }
  if (schedule && typeof schedule.timeZone === 'string' && !isTimeZone(schedule.timeZone)) {
    errors.push({ path: 'spec.schedule.timeZone', message: `Invalid value: ${JSON.stringify(schedule.timeZone)} is not an IANA time zone (e.g. "Europe/Berlin")` });
  }
  const webhook = isObject(spec.webhook) ? spec.webhook : undefined;
  const refs = webhook && Array.isArray(webhook.secretRefs) ? webhook.secretRefs : [];
  const seen = new Set<string>();
  refs.forEach((ref, i) => {
    if (!isObject(ref)) return;
    const key = `${String(ref.name)}/${String(ref.key)}`;
    if (seen.has(key)) errors.push({ path: `spec.webhook.secretRefs[${i}]`, message: `Duplicate value: ${key}` });
    seen.add(key);
  });
  const feedback = isObject(spec.feedback) ? spec.feedback : undefined;
  if (feedback && feedback.provider === undefined && (!webhook || webhook.provider === 'generic')) {
    errors.push({ path: 'spec.feedback.provider', message: 'Required value: statuses go to github or gitlab; set the provider (the webhook does not say which)' });
  }
  const notifications = Array.isArray(spec.notifications) ? spec.notifications : [];
  notifications.forEach((n, i) => {
    if (!isObject(n)) return;
    const set = ['slack', 'matrix'].filter((k) => n[k] !== undefined);
    if (set.length !== 1) errors.push({ path: `spec.notifications[${i}]`, message: `Invalid value: set exactly one of slack and matrix (${set.length === 0 ? 'neither is' : 'both are'} set)` });
  });
  return errors;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
