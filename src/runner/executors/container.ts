// The container executor: runs each container of a job in its image with docker or podman, the
// workspace mounted where the pod would see it. Variables are expanded the Kubernetes way first
// (the kubelet does that, not the container runtime) and handed over by name, so values with
// newlines survive.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { JOB_ENV } from '../../api/v1alpha1/env.ts';
import { containerArgv } from '../../api/v1alpha1/expand.ts';
import { spawnGroup } from '../process-group.ts';
import type { ContainerExit, ContainerRun, Executor } from './executor.ts';

const exec = promisify(execFile);
const RESULTS_MOUNT = '/kayci/results';

export class ContainerExecutor implements Executor {
  readonly name: 'docker' | 'podman';
  constructor(engine: 'docker' | 'podman') {
    this.name = engine;
  }

  /** Fails with the reason when the engine's client or daemon is not usable. */
  async ready(): Promise<void> {
    try {
      await exec(this.name, ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 });
    } catch (e) {
      const detail = (e as { code?: string; stderr?: string }).code === 'ENOENT' ? `${this.name} is not installed` : `${this.name} cannot reach its engine: ${String((e as { stderr?: string }).stderr ?? e).trim().split('\n')[0]}`;
      throw new Error(`--executor ${this.name}: ${detail}; use --executor host to run the jobs' commands on this machine`);
    }
  }

  /** Images bring their tools. */
  checkTools(): string[] {
    return [];
  }

  check(container: IContainer): string | undefined {
    return container.image ? undefined : `container ${container.name} has no image`;
  }

  async run(spec: ContainerRun): Promise<ContainerExit> {
    const argv = containerRunArgv(this.name, spec);
    const env: NodeJS.ProcessEnv = { ...process.env, ...Object.fromEntries(spec.env), [JOB_ENV.resultsFile]: path.posix.join(RESULTS_MOUNT, path.basename(spec.resultsFile)) };
    const proc = spawnGroup(argv, { cwd: spec.workspace, env, onStdout: (c) => spec.onOutput(c, 'stdout'), onStderr: (c) => spec.onOutput(c, 'stderr') });
    const abort = () => void exec(this.name, ['rm', '-f', containerName(spec.id)]).catch(() => undefined);
    spec.signal.addEventListener('abort', abort, { once: true });
    try {
      return { code: await proc.exit };
    } finally {
      spec.signal.removeEventListener('abort', abort);
    }
  }
}

export function containerName(id: string): string {
  return `kayci-${id}`.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 128);
}

/** The `docker run` (or `podman run`) command line for one container. */
export function containerRunArgv(engine: string, spec: ContainerRun): string[] {
  const c = spec.container;
  const argv = [engine, 'run', '--rm', '--name', containerName(spec.id), '--init'];
  for (const m of spec.mounts) argv.push('-v', `${m.hostPath}:${m.containerPath}`);
  argv.push('-v', `${path.dirname(spec.resultsFile)}:${RESULTS_MOUNT}`);
  argv.push('-w', c.workingDir ?? spec.mounts[0]!.containerPath);
  for (const name of [...spec.env.keys(), JOB_ENV.resultsFile]) argv.push('-e', name);
  const command = containerArgv({ ...c, args: undefined }, spec.env);
  const args = containerArgv({ ...c, command: undefined }, spec.env);
  if (command.length > 0) argv.push('--entrypoint', command[0]!);
  argv.push(c.image ?? '');
  argv.push(...command.slice(1), ...args);
  return argv;
}
