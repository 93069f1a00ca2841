// Label selectors (=, ==, !=, in, notin, exists, !exists) and field selectors (=, ==, != on the
// fields each resource supports), parsed and matched the way the API server does; a selector
// it cannot parse, or a field it does not index, is a 400 BadRequest, as on a real cluster.
import { errors } from './status.ts';
import type { ResourceType } from './resources.ts';
import { isObject, type KubeObject } from './types.ts';

type Operator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!exists';

export interface LabelRequirement {
  key: string;
  op: Operator;
  values: string[];
}

export type LabelSelector = LabelRequirement[];

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function checkKey(key: string, whole: string): void {
  if (!KEY.test(key) || key.length > 317) throw errors.badRequest(`unable to parse requirement: invalid label key ${JSON.stringify(key)} in ${JSON.stringify(whole)}`);
}

function checkValue(value: string, whole: string): void {
  if (!VALUE.test(value) || value.length > 63) throw errors.badRequest(`unable to parse requirement: invalid label value ${JSON.stringify(value)} in ${JSON.stringify(whole)}`);
}

export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (text === undefined || text.trim() === '') return [];
  const requirements: LabelSelector = [];
  for (const raw of splitTop(text)) {
    const part = raw.trim();
    if (!part) throw errors.badRequest(`unable to parse requirement: found '', expected: identifier in ${JSON.stringify(text)}`);
    let m = /^!\s*([^\s=!()]+)$/.exec(part);
    if (m) {
      checkKey(m[1]!, text);
      requirements.push({ key: m[1]!, op: '!exists', values: [] });
      continue;
    }
    m = /^([^\s=!()]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part);
    if (m) {
      checkKey(m[1]!, text);
      const values = m[3]!.split(',').map((v) => v.trim());
      values.forEach((v) => checkValue(v, text));
      requirements.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values });
      continue;
    }
    m = /^([^\s=!()]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(part);
    if (m) {
      checkKey(m[1]!, text);
      checkValue(m[3]!, text);
      requirements.push({ key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] });
      continue;
    }
    m = /^([^\s=!()]+)$/.exec(part);
    if (m) {
      checkKey(m[1]!, text);
      requirements.push({ key: m[1]!, op: 'exists', values: [] });
      continue;
    }
    throw errors.badRequest(`unable to parse requirement: ${JSON.stringify(part)} in selector ${JSON.stringify(text)}`);
  }
  return requirements;
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const value = l[r.key];
    switch (r.op) {
      case '=': return has && value === r.values[0];
      case '!=': return !has || value !== r.values[0];
      case 'in': return has && r.values.includes(value!);
      case 'notin': return !has || !r.values.includes(value!);
      case 'exists': return has;
      case '!exists': return !has;
    }
  });
}

export interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}

export function parseFieldSelector(text: string | undefined, rt: ResourceType): FieldRequirement[] {
  if (text === undefined || text.trim() === '') return [];
  const supported = ['metadata.name', 'metadata.namespace', ...rt.fieldSelectors];
  return text.split(',').map((raw) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw);
    if (!m) throw errors.badRequest(`invalid selector: '${raw}'; can't understand '${raw}'`);
    const field = m[1]!;
    if (!supported.includes(field)) throw errors.badRequest(`field label not supported: ${field}`);
    return { field, negate: m[2] === '!=', value: m[3]! };
  });
}

function fieldValue(obj: KubeObject, field: string): string {
  let cur: unknown = obj;
  for (const part of field.split('.')) cur = isObject(cur) ? cur[part] : undefined;
  if (field === 'status.successful') {
    const n = isObject(obj.status) ? obj.status.succeeded : undefined;
    return String(typeof n === 'number' ? n : 0);
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

export function matchesFields(selector: FieldRequirement[], obj: KubeObject): boolean {
  return selector.every((r) => (fieldValue(obj, r.field) === r.value) !== r.negate);
}

/** A selector that names one object: `metadata.name=x`, used when GET <item>?watch=true. */
export function nameSelector(name: string): FieldRequirement[] {
  return [{ field: 'metadata.name', negate: false, value: name }];
}
