// The host executor: runs each container's command and args as a process on this machine, in
// the workspace, with the container's variables on top of the user's environment.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { JOB_ENV } from '../../api/v1alpha1/env.ts';
import { containerArgv } from '../../api/v1alpha1/expand.ts';
import { toHostPath, type Mount } from '../mounts.ts';
import { spawnGroup } from '../process-group.ts';
import type { ContainerExit, ContainerRun, Executor } from './executor.ts';

export class HostExecutor implements Executor {
  readonly name = 'host';
  private readonly baseEnv: NodeJS.ProcessEnv;

  constructor(baseEnv: NodeJS.ProcessEnv = process.env) {
    // A KAYCI_* variable from the outer shell must not leak into a job's contract.
    this.baseEnv = Object.fromEntries(Object.entries(baseEnv).filter(([k]) => !k.startsWith('KAYCI_')));
  }

  check(container: IContainer, env: ReadonlyMap<string, string>): string | undefined {
    const argv = containerArgv(container, env);
    if (argv.length === 0) {
      return `container ${container.name} has no command: the host executor runs commands, not image entrypoints; set \`run\` or \`command\` (or use --executor docker)`;
    }
    // A relative path (./bin/server) may be built by an earlier job; only PATH lookups can be checked now.
    const tool = imageTool(argv[0]!);
    if (!tool.includes('/') && !this.onPath(tool)) {
      return `container ${container.name} runs ${JSON.stringify(tool)}, which is not on PATH; install it or fix the command`;
    }
    return undefined;
  }

  checkTools(tools: Readonly<Record<string, string>>): string[] {
    return Object.entries(tools)
      .filter(([tool]) => !this.onPath(tool))
      .map(([tool, install]) => `needs ${tool} on PATH${install ? `; install it with: ${install}` : ''}`);
  }

  private readonly found = new Map<string, boolean>();

  private onPath(command: string): boolean {
    let hit = this.found.get(command);
    if (hit === undefined) {
      hit = findExecutable(command, this.baseEnv.PATH ?? '') !== undefined;
      this.found.set(command, hit);
    }
    return hit;
  }

  async run(spec: ContainerRun): Promise<ContainerExit> {
    const cwd = hostWorkingDir(spec.container.workingDir, spec.workspace, spec.mounts);
    if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) {
      return { code: 1, error: `working directory ${cwd} does not exist on this machine` };
    }
    const env: NodeJS.ProcessEnv = { ...this.baseEnv, [JOB_ENV.resultsFile]: spec.resultsFile };
    for (const [name, value] of spec.env) if (name !== JOB_ENV.resultsFile) env[name] = toHostPath(value, spec.mounts);
    const argv = containerArgv(spec.container, spec.env).map((a) => toHostPath(a, spec.mounts));
    argv[0] = imageTool(argv[0] ?? '');
    const proc = spawnGroup(argv, {
      cwd,
      env,
      onStdout: (c) => spec.onOutput(c, 'stdout'),
      onStderr: (c) => spec.onOutput(c, 'stderr'),
    });
    const abort = () => void proc.stop();
    spec.signal.addEventListener('abort', abort, { once: true });
    try {
      let spawnError: string | undefined;
      proc.child.once('error', (e) => (spawnError = e.message));
      const code = await proc.exit;
      return spawnError ? { code, error: spawnError } : { code };
    } finally {
      spec.signal.removeEventListener('abort', abort);
    }
  }
}

/**
 * Where a container's working directory is on this machine: the workspace when unset, paths
 * under a mount map to its local directory, relative paths are relative to the workspace.
 */
export function hostWorkingDir(workingDir: string | undefined, workspace: string, mounts: readonly Mount[]): string {
  if (!workingDir) return workspace;
  return path.resolve(workspace, toHostPath(workingDir, mounts));
}

/**
 * Tool images keep their binary at a fixed absolute path (`/syft`, `/ko-app/cosign`) and have no
 * shell to find it by name. On this machine such a path does not exist: the tool is looked up by
 * its base name on PATH instead. Absolute paths that do exist are used as they are.
 */
export function imageTool(command: string): string {
  if (!path.isAbsolute(command) || statSync(command, { throwIfNoEntry: false })) return command;
  return path.basename(command);
}

export function findExecutable(command: string, PATH: string): string | undefined {
  for (const c of PATH.split(path.delimiter).filter(Boolean).map((d) => path.join(d, command))) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch {
      // not here
    }
  }
  return undefined;
}
