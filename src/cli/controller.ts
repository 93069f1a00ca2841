// `kayci controller`: runs the controller until SIGTERM or Ctrl-C (also while its caches still
// sync). Credentials come from the pod's ServiceAccount in a cluster, or from a kubeconfig
// outside one. Every numeric flag is checked before anything starts.
import { KubeConfig } from '@kubernetes/client-node';
import { jsonLogger } from '../controller/log.ts';
import { Manager } from '../controller/manager.ts';
import type { Io } from './io.ts';
import { UsageError } from './run.ts';

/** The kubeconfig could not be read: a message for the user, exit code 1. */
export class KubeConfigError extends Error {
  override name = 'KubeConfigError';
  readonly code = 'KAYCI_KUBECONFIG';
}

/** The controller could not start, e.g. its port is taken: a message for the user, exit code 1. */
export class ControllerStartError extends Error {
  override name = 'ControllerStartError';
  readonly code = 'KAYCI_CONTROLLER_START';
}

/** The kubeconfig file given, or the default (in-cluster, $KUBECONFIG, ~/.kube/config). */
export function loadKubeConfig(file: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  try {
    if (file) kubeConfig.loadFromFile(file);
    else kubeConfig.loadFromDefault();
  } catch (e) {
    throw new KubeConfigError(`cannot load the kubeconfig${file ? ` ${file}` : ''}: ${(e as Error).message}`);
  }
  return kubeConfig;
}

export interface ControllerCommandOptions {
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly leaseNamespace?: string;
  readonly port: string;
  readonly qps: string;
  readonly burst: string;
  readonly workers: string;
  readonly logLevel: string;
  readonly webhookMaxBody?: string;
  readonly webhookBodyTimeout: string;
}

export async function controllerCommand(io: Io, options: ControllerCommandOptions, signal: AbortSignal): Promise<number> {
  const problems: string[] = [];
  const number = (flag: string, value: string, min: number, max = Number.POSITIVE_INFINITY, integer = false) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      problems.push(`--${flag}: ${JSON.stringify(value)} is not ${integer ? 'an integer' : 'a number'} ${max === Number.POSITIVE_INFINITY ? `of at least ${min}` : `from ${min} to ${max}`}`);
    }
    return n;
  };
  // Every flag checked before anything starts; port 0 lets the system pick one (logged as "serving http").
  const numbers = {
    port: number('port', options.port, 0, 65_535, true),
    qps: number('qps', options.qps, 0.1),
    burst: number('burst', options.burst, 1),
    workers: number('workers', options.workers, 1, 1000, true),
  };
  const maxBody = options.webhookMaxBody === undefined ? undefined : number('webhook-max-body', options.webhookMaxBody, 1024, 1024 ** 3, true);
  const bodyTimeoutMs = number('webhook-body-timeout', options.webhookBodyTimeout, 100, 110_000, true);
  if (problems.length > 0) throw new UsageError(problems);
  const kubeConfig = loadKubeConfig(options.kubeconfig);
  const level = options.logLevel as 'debug' | 'info' | 'warn' | 'error';
  const log = jsonLogger((line) => io.err(line), ['debug', 'info', 'warn', 'error'].includes(level) ? level : 'info');
  const manager = new Manager({
    kubeConfig,
    namespace: options.namespace,
    leaseNamespace: options.leaseNamespace ?? process.env.POD_NAMESPACE ?? options.namespace ?? 'kayci-system',
    identity: process.env.POD_NAME,
    ...numbers,
    hooks: { bodyTimeoutMs, ...(maxBody === undefined ? {} : { maxBytes: { github: maxBody, gitlab: maxBody, generic: maxBody } }) },
    log,
  });
  const stopped = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  // A SIGTERM while the caches still sync (say the API server is unreachable) stops it too.
  try {
    await Promise.race([manager.start(), stopped]);
  } catch (e) {
    await manager.stop();
    throw new ControllerStartError(`cannot start the controller: ${(e as Error).message}`);
  }
  if (!signal.aborted) log.info('controller started', { port: manager.port, namespace: options.namespace ?? '(all)' });
  await stopped;
  log.info('stopping');
  await manager.stop();
  return 0;
}
