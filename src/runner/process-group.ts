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

export function spawnGroup(argv: readonly string[], options: SpawnOptions): GroupProcess {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', options.onStdout);
  child.stderr!.on('data', options.onStderr);
  const exit = new Promise<number>((resolve) => {
    child.once('error', () => resolve(127));
    // 'close' waits for the pipes too, so no output is lost after exit.
    child.once('close', (code, signal) => {
      // Whatever the leader left running in its group ends with it, as in a pod.
      killGroup(child, 'SIGKILL');
      resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 0));
    });
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
