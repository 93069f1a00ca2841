// What the C recipes share: how their tools are installed, the checks their props go through,
// and the shell fragments their scripts are made of. Scripts run as `sh -ec`, after Kubernetes
// (or the local runner) expanded `$(NAME)`: a shell command substitution is written `$$(…)`.
// What every recipe shares (constructor shape, prop checks, output directory, quoting) is in
// ../common.ts.
import { sh, shWords, type Problem, type Tools } from '../common.ts';

/** How to install each tool the C recipes call, for the message a local run gives when one is missing. */
export const C_TOOLS = {
  cmake: 'apt-get install -y cmake',
  ctest: 'apt-get install -y cmake (ctest comes with CMake; 3.21 or newer for --output-junit)',
  make: 'apt-get install -y make',
  meson: 'apt-get install -y meson ninja-build (or: pipx install meson)',
  ninja: 'apt-get install -y ninja-build',
  gcc: 'apt-get install -y gcc',
  clang: 'apt-get install -y clang',
  ccache: 'apt-get install -y ccache',
  cppcheck: 'apt-get install -y cppcheck',
  'clang-tidy': 'apt-get install -y clang-tidy',
  gcovr: 'apt-get install -y gcovr (or: pipx install gcovr)',
  'llvm-cov': 'apt-get install -y llvm',
} as const satisfies Tools;

export type CTool = keyof typeof C_TOOLS;

/** The tools annotation for a recipe's script: each tool with its install hint. */
export function tools(...names: CTool[]): Tools {
  return Object.fromEntries(names.map((n) => [n, C_TOOLS[n]]));
}

// The checks below add what is wrong to `problems` (thrown together by throwProblems once every
// prop is checked) and return a stand-in, so the checks after them can go on.

/** `value` must be one of `allowed`; `fallback` when it is left out. */
export function oneOf<T extends string>(problems: Problem[], prop: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    problems.push([prop, `must be ${allowed.slice(0, -1).map((a) => JSON.stringify(a)).join(', ')} or ${JSON.stringify(allowed.at(-1))}, got ${JSON.stringify(value)}`]);
    return fallback;
  }
  return value;
}

/** A path relative to the workspace (or absolute): not empty, one line. */
export function pathProp(problems: Problem[], prop: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '' || /[\n\r]/.test(value)) {
    problems.push([prop, `must be a path (relative to the workspace, or absolute) on one line, got ${JSON.stringify(value)}`]);
    return fallback;
  }
  return value.replace(/(.)\/+$/, '$1');
}

/** How many jobs a tool runs at once: a positive whole number, or every core. */
export function parallelism(problems: Problem[], value: number | undefined): string {
  if (value === undefined) return '"$$(nproc)"';
  if (!Number.isInteger(value) || value < 1) problems.push(['parallel', `must be a whole number of at least 1, got ${value}`]);
  return String(value);
}

/** `build` and `buildDir` say the same thing; one of them at most. */
export function exclusive(problems: Problem[], props: object, a: string, b: string): void {
  const p = props as Record<string, unknown>;
  if (p[a] !== undefined && p[b] !== undefined) problems.push([b, `cannot be combined with ${a}, which already says it`]);
}

/** Quoted arguments joined for a command line, with a leading space when there are any. */
export function argsOf(args: readonly string[] | undefined): string {
  return args && args.length > 0 ? ` ${shWords(args)}` : '';
}

/** An absolute path the shell computes: relative paths are taken from the working directory. */
export function absolute(path: string): string {
  return path.startsWith('/') ? sh(path) : `"$PWD"/${sh(path)}`;
}
