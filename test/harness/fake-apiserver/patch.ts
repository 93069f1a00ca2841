// The four PATCH content types: JSON merge patch (RFC 7386), JSON patch (RFC 6902), strategic
// merge patch (approximated: a merge patch in which the lists Kubernetes declares with a merge
// key — containers, env, volumes, conditions, ownerReferences … — merge element by element, with
// `$patch: delete|replace` and `$deleteFromPrimitiveList`), and server-side apply (the same merge,
// never deleting; field ownership beyond recording the manager is not tracked).
import { errors } from './status.ts';
import { clone, isObject, type JsonObject } from './types.ts';

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export type PatchType = (typeof PATCH_TYPES)[keyof typeof PATCH_TYPES];

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

// JSON patch

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw errors.unprocessable(`the server rejected our request due to an error in our request: invalid JSON pointer ${JSON.stringify(path)}`);
  return path.slice(1).split('/').map(unescapePointer);
}

function fail(what: string): never {
  throw errors.unprocessable(`the server rejected our request due to an error in our request: ${what}`);
}

function parentOf(doc: unknown, tokens: string[], path: string): [unknown, string] {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) fail(`doc is missing path: ${JSON.stringify(path)}`);
  }
  return [cur, tokens[tokens.length - 1]!];
}

function getAt(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

function arrayIndex(arr: unknown[], token: string, forAdd: boolean, path: string): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) fail(`invalid array index ${JSON.stringify(token)} at ${JSON.stringify(path)}`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length)) fail(`index out of bounds at ${JSON.stringify(path)}`);
  return i;
}

function addAt(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return clone(value);
  const [parent, last] = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true, path), 0, clone(value));
  else if (isObject(parent)) parent[last] = clone(value);
  else fail(`doc is missing path: ${JSON.stringify(path)}`);
  return doc;
}

function removeAt(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  const [parent, last] = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, false, path), 1);
  else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else fail(`unable to remove nonexistent key: ${last}: missing value`);
  return doc;
}

export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = clone(target);
  for (const raw of operations) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') fail('invalid JSON patch operation');
    const { op, path } = raw as { op: string; path: string };
    switch (op) {
      case 'add':
        doc = addAt(doc, path, raw.value);
        break;
      case 'remove':
        doc = removeAt(doc, path);
        break;
      case 'replace':
        if (getAt(doc, path) === undefined) fail(`replace operation does not apply: doc is missing key: ${path}: missing value`);
        doc = removeAt(doc, path);
        doc = addAt(doc, path, raw.value);
        break;
      case 'move':
      case 'copy': {
        const from = String(raw.from);
        const value = getAt(doc, from);
        if (value === undefined) fail(`${op} operation does not apply: doc is missing from path: ${from}: missing value`);
        if (op === 'move') doc = removeAt(doc, from);
        doc = addAt(doc, path, value);
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(raw.value)) fail(`testing value ${path} failed: test failed`);
        break;
      default:
        fail(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}

// Strategic merge patch

/** Lists that merge element by element, by field name, and the key that identifies an element. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  ownerReferences: 'uid',
  conditions: 'type',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
};

/** Lists of scalars that merge as sets. */
const MERGE_SETS = new Set(['finalizers']);

export function strategicMerge(target: unknown, patch: unknown, retainAll = false): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return clone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const remove = Array.isArray(value) ? value : [];
      const current = result[field];
      if (Array.isArray(current)) result[field] = current.filter((v) => !remove.includes(v));
      continue;
    }
    if (value === null) {
      if (!retainAll) delete result[key];
      continue;
    }
    const current = result[key];
    if (Array.isArray(value) && Object.hasOwn(MERGE_KEYS, key) && (Array.isArray(current) || current === undefined)) {
      result[key] = mergeList(current ?? [], value, MERGE_KEYS[key]!, retainAll);
    } else if (Array.isArray(value) && MERGE_SETS.has(key) && Array.isArray(current)) {
      result[key] = [...current, ...value.filter((v) => !current.includes(v))];
    } else {
      const merged = strategicMerge(current, value, retainAll);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k];
  }
  return result;
}

function mergeList(current: unknown[], patch: unknown[], mergeKey: string, retainAll: boolean): unknown[] {
  const result = current.map((v) => clone(v));
  const replaceAll = patch.some((p) => isObject(p) && p.$patch === 'replace' && p[mergeKey] === undefined);
  if (replaceAll) return patch.filter((p) => !(isObject(p) && p.$patch === 'replace')).map((p) => clone(p));
  for (const element of patch) {
    if (!isObject(element) || element[mergeKey] === undefined) {
      result.push(clone(element));
      continue;
    }
    const at = result.findIndex((r) => isObject(r) && r[mergeKey] === element[mergeKey]);
    if (element.$patch === 'delete') {
      if (at >= 0) result.splice(at, 1);
      continue;
    }
    if (at >= 0) result[at] = strategicMerge(result[at], element, retainAll);
    else result.push(strategicMerge(undefined, element, retainAll));
  }
  return result;
}

/** Server-side apply, approximated: the applied configuration merged in, nothing removed. */
export function applyPatch(target: unknown, applied: unknown): unknown {
  return strategicMerge(target, applied, true);
}
