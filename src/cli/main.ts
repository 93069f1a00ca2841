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

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

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
    .command('install')
    .description('print what a cluster needs to run the controller: CRDs, namespace, RBAC, Deployment, Service')
    .option('-n, --namespace <ns>', 'namespace of the controller', 'kayci-system')
    .option('--image <ref>', 'controller image (pin it by digest)', `ghcr.io/kayci-dev/kayci:${version}`)
    .option('--replicas <n>', 'controller replicas; one leads', '2')
    .option('--watch-namespace <ns>', 'watch only this namespace (a Role instead of a ClusterRole)')
    .action(async (options) => {
      const { installCommand } = await import('./install.ts');
      code = installCommand(io, options);
    });

  program
    .command('controller')
    .description('run the controller: reconcile Pipelines, Triggers and Runs in a cluster')
    .option('--kubeconfig <file>', 'kubeconfig (default: in-cluster config, $KUBECONFIG or ~/.kube/config)')
    .option('-n, --namespace <ns>', 'watch only this namespace (default: all)')
    .option('--lease-namespace <ns>', 'namespace of the leader lease (default: $POD_NAMESPACE)')
    .option('--port <n>', 'HTTP port for /healthz, /readyz, /metrics and webhooks', '8080')
    .option('--qps <n>', 'API requests per second (token bucket)', '20')
    .option('--burst <n>', 'API request burst above qps', '40')
    .option('--workers <n>', 'Runs reconciled at once', '4')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--webhook-max-body <bytes>', 'largest webhook body accepted (default: 25 MiB GitHub and GitLab, 1 MiB generic)')
    .option('--webhook-body-timeout <ms>', 'time a webhook body may take to arrive', '10000')
    .action(async (options) => {
      const { controllerCommand } = await import('./controller.ts');
      code = await withInterrupts((signal) => controllerCommand(io, options, signal));
    });

  program
    .command('trigger')
    .description('create a Run of a Pipeline in the cluster by hand (the generic webhook\'s code path)')
    .argument('<pipeline>', 'name of the Pipeline')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG or ~/.kube/config)')
    .option('-n, --namespace <ns>', 'namespace of the Pipeline (default: the context\'s)')
    .option('-p, --param <name=value>', 'a parameter value (repeatable)', collect, [])
    .option('--job <name>', 'run only this job and what it needs (repeatable)', collect, [])
    .option('--sha <sha>', 'commit to build (KAYCI_COMMIT_SHA)')
    .option('--ref <ref>', 'ref to build, e.g. refs/heads/main (KAYCI_REF, KAYCI_BRANCH or KAYCI_TAG)')
    .option('--trigger <name>', 'act as this generic Trigger: its filters and params apply')
    .option('-w, --wait', 'follow the Run until it ends; exit 0 if it succeeded, 1 if not')
    .action(async (pipeline: string, options) => {
      const { triggerCommand } = await import('./trigger.ts');
      code = await withInterrupts((signal) => triggerCommand(io, pipeline, options, signal));
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
