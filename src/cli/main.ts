// kayci's command line: thin commands over the library. Each command returns its exit code;
// typed failures print their message, anything else prints its stack (a bug in kayci).
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT_CANCELLED, processIo, type Io } from './io.ts';

/** kayci's typed errors carry a stable `KAYCI_*` code: reported as a message, not as a bug. */
function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('KAYCI_') ? code : undefined;
}

/**
 * Ctrl-C (or SIGTERM) aborts the signal once: the run cancels its jobs and reports. A second one
 * exits at once.
 */
async function withInterrupts(body: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT_CANCELLED);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const program = new Command()
    .name('kayci')
    .description('Typed pipelines-as-code for CI on Kubernetes.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run `kayci --help` for usage)');

  program
    .command('synth')
    .description('compile a TypeScript pipeline entry into Pipeline and Trigger YAML')
    .argument('[entry]', 'pipeline file, or a directory holding kayci.ts', undefined)
    .option('-o, --out <dir>', 'output directory, relative to the entry\'s directory', 'dist')
    .option('--strict', 'require every container image to be pinned by digest')
    .option('--crds', 'also write the CRDs, to <out>/crds/kayci.k8s.yaml')
    .option('--stdout', 'print the YAML instead of writing files')
    .action(async (entry: string | undefined, options) => {
      const { synthCommand } = await import('./synth.ts');
      code = await synthCommand(io, entry, options);
    });

  program
    .command('run')
    .description('run a pipeline on this machine, with the planner the controller uses')
    .argument('[entry]', 'pipeline file, a directory holding kayci.ts, or synthesized YAML (file or directory)')
    .option('-p, --pipeline <name>', 'the pipeline to run when the entry defines several')
    .option('-j, --job <name...>', 'run only these jobs and the jobs they need')
    .option('--jobs <n>', 'jobs to run at once (default: number of cores)')
    .option('--param <name=value...>', 'set a pipeline parameter')
    .option('--event <event>', 'event the run pretends to come from: push, pull_request, tag, manual', 'push')
    .option('--executor <name>', 'host (commands on this machine), docker or podman (containers)', 'host')
    .option('--workspace <dir>', 'directory the jobs run in (default: the entry\'s directory)')
    .option('--dry-run', 'print the plan by DAG level; run nothing')
    .action(async (entry: string | undefined, options) => {
      const { runCommand } = await import('./run.ts');
      code = await withInterrupts((signal) => runCommand(io, entry, options, signal));
    });

  program
    .command('crds')
    .description('print the CustomResourceDefinitions of kayci.dev/v1alpha1')
    .action(async () => {
      const { crdsCommand } = await import('./crds.ts');
      code = crdsCommand(io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const kind = errorCode(e);
    if (kind === 'KAYCI_USAGE') {
      io.err(`kayci: ${(e as Error).message}\n(run \`kayci --help\` for usage)\n`);
      return 2;
    }
    if (kind) {
      io.err(`kayci: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
