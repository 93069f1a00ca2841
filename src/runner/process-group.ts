// Child processes in their own process group, so that stopping a job stops everything it
// started (a script's background `sleep &` included) and nothing is left behind.
import { spawn, type ChildProcess } from 'node:child_process';

export interface GroupProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code (128+signal when killed). */
  readonly exit: Promise<number>;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves when the leader exited. */
  stop(graceMs?: number): Promise<number>;
}

export interface SpawnOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly onStdout: (chunk: Buffer) => void;
  readonly onStderr: (chunk: Buffer) => void;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Groups whose leader still runs. Detached groups do not die with us: kill them on the way out. */
const live = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess): void {
  live.add(child);
  if (exitHook) return;
  exitHook = true;
  // 'exit' listeners run even on process.exit() (a second Ctrl-C); kill() is synchronous.
  process.once('exit', () => {
    for (const c of live) killGroup(c, 'SIGKILL');
  });
}

export function spawnGroup(argv: readonly string[], options: SpawnOptions): GroupProcess {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  child.stdout!.on('data', options.onStdout);
  child.stderr!.on('data', options.onStderr);
  const exit = new Promise<number>((resolve) => {
    child.once('error', () => {
      live.delete(child);
      resolve(127);
    });
    // Whatever the leader left running in its group ends with it, as in a pod. This must happen
    // on 'exit': a background process still holding stdout would otherwise delay 'close' for
    // as long as it lives.
    child.once('exit', () => {
      live.delete(child);
      killGroup(child, 'SIGKILL');
    });
    // 'close' waits for the pipes too, so no output is lost after exit.
    child.once('close', (code, signal) => resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 0)));
  });
  return {
    child,
    exit,
    async stop(graceMs = 5000) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}
