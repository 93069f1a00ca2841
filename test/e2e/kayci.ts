// Helpers for end-to-end tests: copies of the examples to run in (so the repository stays
// clean), and `kayci` as a real child process, the way a user starts it.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { project } from '../helpers/project.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/kayci.js');

/** What a build leaves in an example; never copied. */
const BUILD_OUTPUT = new Set(['build', 'build-coverage', 'build-asan', 'bin', '.kayci', 'dist', 'coverage.out', 'junit.xml', 'go-test.json']);

/**
 * A copy of examples/<name> under test/.tmp (inside the repository, so its kayci.ts resolves
 * `kayci`, and inside a git checkout, as a developer's project is), removed after the test file.
 */
export function copyExample(name: string): string {
  const from = path.join(ROOT, 'examples', name);
  const dir = project({}, `e2e-${name}-`);
  cpSync(from, dir, { recursive: true, filter: (src) => !BUILD_OUTPUT.has(path.relative(from, src).split(path.sep)[0]!) });
  return dir;
}

/**
 * Where local runs keep their caches (XDG_CACHE_HOME): in the OS temp directory, across test
 * runs, so only the first run compiles Go's standard library (with -race, and for two targets).
 */
export const CACHE_ENV = { XDG_CACHE_HOME: path.join(tmpdir(), 'kayci-e2e-cache'), GOTOOLCHAIN: 'local', GOFLAGS: '' };

/** A duration as the reporter prints it: `2.4s`, or `1m16s` from a minute on. */
export const DURATION = String.raw`(?:\d+\.\ds|\d+m\d\ds)`;

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
}

export interface Started {
  readonly child: ChildProcess;
  /** Output so far. */
  readonly output: () => { out: string; err: string };
  /** Resolves when stdout holds a match for `pattern`. */
  readonly printed: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  readonly done: Promise<Finished>;
}

/** Starts `node bin/kayci.js <args>` in `cwd` with the given extra environment. */
export function startKayci(cwd: string, args: string[], env: Record<string, string> = {}): Started {
  // A KAYCI_* variable of the test's own environment must not change what the run sees.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KAYCI_')));
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<Finished>((resolve) =>
    child.once('close', (code, signal) => {
      resolve({ code, signal, out, err });
      for (const w of waiters.splice(0)) w();
    }),
  );
  const printed = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kayci did not print ${pattern} within ${timeoutMs} ms; it printed:\n${out}${err}`)), timeoutMs);
      const check = () => {
        if (pattern.test(out)) {
          clearTimeout(timer);
          resolve();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`kayci exited before printing ${pattern}; it printed:\n${out}${err}`));
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { child, output: () => ({ out, err }), printed, done };
}

/** Runs `kayci <args>` to the end. */
export function kayci(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return startKayci(cwd, args, env).done;
}

/** The lines of a failed job's log tail: from its header to the next header or the verdict. */
export function logTail(out: string, job: string): string[] {
  const start = out.search(new RegExp(`^── last \\d+ lines? of ${job} \\(`, 'm'));
  if (start < 0) return [];
  const lines = out.slice(start).split('\n').slice(1);
  const end = lines.findIndex((l) => /^(── last |run \S+ (succeeded|failed|cancelled) in )/.test(l));
  const tail = lines.slice(0, end < 0 ? undefined : end);
  while (tail.at(-1) === '') tail.pop();
  return tail;
}
