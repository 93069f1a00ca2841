// Finds the pipeline entry: a .ts/.js file, or a directory holding kayci.ts.
import { statSync } from 'node:fs';
import path from 'node:path';
import { EntryNotFoundError } from './errors.ts';

export const DEFAULT_ENTRY = 'kayci.ts';

export function resolveEntry(given: string | undefined, cwd = process.cwd()): string {
  const target = path.resolve(cwd, given ?? DEFAULT_ENTRY);
  const stat = statSync(target, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    const inside = path.join(target, DEFAULT_ENTRY);
    if (statSync(inside, { throwIfNoEntry: false })?.isFile()) return inside;
    throw new EntryNotFoundError(`${rel(target, cwd)} is a directory without a ${DEFAULT_ENTRY}; pass the pipeline file, e.g. \`kayci synth ${rel(target, cwd)}/pipeline.ts\``);
  }
  if (stat?.isFile()) return target;
  const hint = given ? '' : `; create ${DEFAULT_ENTRY} (see \`examples/\`) or pass the pipeline file`;
  throw new EntryNotFoundError(`no pipeline entry at ${rel(target, cwd)}${hint}`);
}

function rel(p: string, cwd: string): string {
  return path.relative(cwd, p) || '.';
}
