// Tests that run real tools (crane, cosign, cmake, …). scripts/install-tools.sh installs them and
// .ci/run runs it, so in CI (CI=true) a missing tool fails the test. On a developer machine a
// test whose tools are missing is skipped, and its name says which tools and how to get them.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { it } from 'vitest';

// Go-installed tools land in GOPATH/bin, often not on a developer's PATH.
try {
  const gobin = process.env.GOBIN || path.join(execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim(), 'bin');
  if (!(process.env.PATH ?? '').split(path.delimiter).includes(gobin)) process.env.PATH = `${process.env.PATH}${path.delimiter}${gobin}`;
} catch {
  // No Go: the tools that need it are reported missing below.
}

export function missingTools(tools: readonly string[]): string[] {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return tools.filter((tool) => !dirs.some((d) => {
    try {
      accessSync(path.join(d, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }));
}

/** `it`, or — outside CI, when a tool is missing — a skipped `it` whose name says why. */
export function itWithTools(tools: readonly string[]): (name: string, fn: () => Promise<void> | void, timeout?: number) => void {
  const missing = missingTools(tools);
  if (missing.length === 0) return (name, fn, timeout) => it(name, fn, timeout);
  if (process.env.CI) {
    return (name) => it(name, () => {
      throw new Error(`${missing.join(', ')} not on PATH; CI must install them (scripts/install-tools.sh)`);
    });
  }
  return (name, fn, timeout) => it.skip(`${name} [skipped: ${missing.join(', ')} not on PATH — run scripts/install-tools.sh]`, fn, timeout);
}
