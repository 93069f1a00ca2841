// The local runner: `kayci run` as a library.
export { runLocal, RunInputError, type LocalRunOptions, type LocalRunResult } from './runner.ts';
export { loadSource, SourceError, type PipelineSource } from './source.ts';
export { localMetadata, repoPath } from './git.ts';
export { dryRun } from './dry-run.ts';
export { ConsoleReporter } from './reporter.ts';
export { HostExecutor } from './executors/host.ts';
export { ContainerExecutor } from './executors/container.ts';
export type { Backend, StartRequest } from './backend.ts';
export { LocalBackend } from './local-backend.ts';
export { expand, containerEnv, containerArgv } from '../api/v1alpha1/expand.ts';
