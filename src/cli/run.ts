// `kayci run [entry|dist]`: execute a pipeline on this machine with the planner the controller
// uses. Exit 0 only when the run succeeded; 130 after Ctrl-C.
import { availableParallelism } from 'node:os';
import type { Pipeline } from '../api/v1alpha1/pipeline.ts';
import { closest } from '../api/suggest.ts';
import { EXIT_CANCELLED, type Io } from './io.ts';
import { dryRun } from '../runner/dry-run.ts';
import { ContainerExecutor } from '../runner/executors/container.ts';
import type { Executor } from '../runner/executors/executor.ts';
import { HostExecutor } from '../runner/executors/host.ts';
import { localMetadata } from '../runner/git.ts';
import { ConsoleReporter } from '../runner/reporter.ts';
import { RunInputError, runLocal } from '../runner/runner.ts';
import { loadSource } from '../runner/source.ts';

export interface RunCommandOptions {
  readonly pipeline?: string;
  readonly job?: string[];
  readonly jobs?: string;
  readonly param?: string[];
  readonly event?: string;
  readonly dryRun?: boolean;
  readonly executor?: string;
  readonly workspace?: string;
}


/** A bad option value: exit 2 with the problems, like an unknown option. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly code = 'KAYCI_USAGE';
  constructor(problems: string[]) {
    super(problems.join('\n'));
  }
}

export async function runCommand(io: Io, entry: string | undefined, options: RunCommandOptions, signal?: AbortSignal): Promise<number> {
  const params = parseParams(options.param ?? []);
  const parallelism = options.jobs === undefined ? availableParallelism() : Number(options.jobs);
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new UsageError([`--jobs: ${JSON.stringify(options.jobs)} is not a whole number of 1 or more`]);
  const executor = await makeExecutor(options.executor ?? 'host');
  const source = await loadSource(entry, io.cwd);
  const pipeline = pickPipeline(source.pipelines, options.pipeline, source.origin);
  const workspace = options.workspace ?? source.workspace;
  const metadata = await localMetadata(workspace, options.event ?? 'push');
  if (options.dryRun) {
    io.out(dryRun(pipeline, metadata, options.job, params));
    return 0;
  }
  const result = await runLocal({
    pipeline,
    origin: source.origin,
    workspace,
    metadata,
    executor,
    reporter: new ConsoleReporter(io),
    parallelism,
    jobs: options.job,
    params,
    signal,
    cwd: io.cwd,
  });
  if (result.phase === 'Succeeded') return 0;
  return result.phase === 'Cancelled' ? EXIT_CANCELLED : 1;
}

function parseParams(pairs: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  const bad: string[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) bad.push(`--param ${JSON.stringify(pair)}: expected name=value`);
    else params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (bad.length > 0) throw new UsageError(bad);
  return params;
}

async function makeExecutor(name: string): Promise<Executor> {
  if (name === 'host') return new HostExecutor();
  if (name === 'docker' || name === 'podman') {
    const executor = new ContainerExecutor(name);
    await executor.ready().catch((e: Error) => {
      throw new RunInputError('the container executor is not available', [e.message]);
    });
    return executor;
  }
  throw new UsageError([`--executor ${JSON.stringify(name)}: use host, docker or podman`]);
}

function pickPipeline(pipelines: Pipeline[], wanted: string | undefined, origin: string): Pipeline {
  const names = pipelines.map((p) => p.metadata.name!);
  if (wanted !== undefined) {
    const found = pipelines.find((p) => p.metadata.name === wanted);
    if (found) return found;
    const hint = closest(wanted, names);
    throw new RunInputError(`no pipeline ${JSON.stringify(wanted)} in ${origin}`, [`${hint ? `did you mean ${JSON.stringify(hint)}? ` : ''}pipelines: ${names.join(', ')}`]);
  }
  if (pipelines.length === 1) return pipelines[0]!;
  if (pipelines.length === 0) throw new RunInputError(`no pipeline in ${origin}`, ['define one with new Pipeline(app, "name")']);
  throw new RunInputError(`${origin} defines ${pipelines.length} pipelines`, [`choose one with --pipeline: ${names.join(', ')}`]);
}
