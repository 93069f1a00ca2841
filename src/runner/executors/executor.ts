// An executor runs one container of a job: a host process, or a docker/podman container.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { Mount } from '../mounts.ts';

export interface ContainerRun {
  /** Stable id for naming (`<run>-<job>-<container>`). */
  readonly id: string;
  readonly container: IContainer;
  /** The container's variables after Kubernetes-style resolution. */
  readonly env: ReadonlyMap<string, string>;
  /** The workspace on this machine (jobs' default working directory). */
  readonly workspace: string;
  /** The container's mounts, workspace first: where each is in the container and on this machine. */
  readonly mounts: readonly Mount[];
  /** The results file on this machine (KAYCI_RESULTS_FILE points at it, or its mount). */
  readonly resultsFile: string;
  readonly signal: AbortSignal;
  readonly onOutput: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
}

export interface ContainerExit {
  readonly code: number;
  /** Why it could not run at all (not found, bad working directory). */
  readonly error?: string;
}

export interface Executor {
  readonly name: 'host' | 'docker' | 'podman';
  /** Problems that make a container impossible to run here, found before anything starts. */
  check(container: IContainer, env: ReadonlyMap<string, string>): string | undefined;
  /** Problems with tools a job declares it needs (the kayci.dev/tools annotation), by tool. */
  checkTools(tools: Readonly<Record<string, string>>): string[];
  run(spec: ContainerRun): Promise<ContainerExit>;
}
