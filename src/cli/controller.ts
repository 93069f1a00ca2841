// `kayci controller`: runs the controller until SIGTERM or Ctrl-C. Credentials come from the
// pod's ServiceAccount in a cluster, or from a kubeconfig outside one.
import { KubeConfig } from '@kubernetes/client-node';
import { jsonLogger } from '../controller/log.ts';
import { Manager } from '../controller/manager.ts';
import type { Io } from './io.ts';
import { UsageError } from './run.ts';

export interface ControllerCommandOptions {
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly leaseNamespace?: string;
  readonly port: string;
  readonly qps: string;
  readonly burst: string;
  readonly workers: string;
  readonly logLevel: string;
}

export async function controllerCommand(io: Io, options: ControllerCommandOptions, signal: AbortSignal): Promise<number> {
  const number = (flag: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new UsageError([`--${flag}: ${JSON.stringify(value)} is not a number of at least ${min}`]);
    return n;
  };
  const kubeConfig = new KubeConfig();
  if (options.kubeconfig) kubeConfig.loadFromFile(options.kubeconfig);
  else kubeConfig.loadFromDefault();
  const level = options.logLevel as 'debug' | 'info' | 'warn' | 'error';
  const log = jsonLogger((line) => io.err(line), ['debug', 'info', 'warn', 'error'].includes(level) ? level : 'info');
  const manager = new Manager({
    kubeConfig,
    namespace: options.namespace,
    leaseNamespace: options.leaseNamespace ?? process.env.POD_NAMESPACE ?? options.namespace ?? 'kayci-system',
    identity: process.env.POD_NAME,
    port: number('port', options.port, 0),
    qps: number('qps', options.qps, 0.1),
    burst: number('burst', options.burst, 1),
    workers: number('workers', options.workers, 1),
    log,
  });
  await manager.start();
  log.info('controller started', { port: manager.port, namespace: options.namespace ?? '(all)' });
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  log.info('stopping');
  await manager.stop();
  return 0;
}
