// kayci itself in the cluster tests: its CLI's output (crds, install, synth) and the controller
// as a child process (`node bin/kayci.js controller`) with the token of the ServiceAccount that
// `kayci install` creates, its JSON logs and its /metrics.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { Kube, waitFor, type KubeObject } from './kube.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const execFileAsync = promisify(execFile);

/** `kayci <args>` with the Node running the tests (the pinned one); stdout, or a thrown error with stderr. */
export async function kayci(...args: string[]): Promise<string> {
  try {
    return (await execFileAsync(process.execPath, [join(ROOT, 'bin/kayci.js'), ...args], { cwd: ROOT, maxBuffer: 64 << 20 })).stdout;
  } catch (e) {
    const err = e as { message: string; stderr?: string };
    throw new Error(`kayci ${args.join(' ')} failed: ${err.message}\n${err.stderr ?? ''}`, { cause: e });
  }
}

export const EXAMPLES = ['go-service', 'c-library', 'recipe-package'] as const;

/**
 * `kayci synth --stdout` of an example. The recipe package is a library, not a pipeline: it is
 * synthesized from an entry that uses its preset the way its own golden test does.
 */
export async function synthExample(example: (typeof EXAMPLES)[number]): Promise<string> {
  if (example !== 'recipe-package') return kayci('synth', `examples/${example}`, '--stdout');
  const entry = join(inject('cluster').dir, 'recipe-package-entry', 'kayci.ts');
  mkdirSync(dirname(entry), { recursive: true });
  writeFileSync(entry, [
    `import { App } from ${JSON.stringify(join(ROOT, 'node_modules/kayci/constructs/index.ts'))};`,
    `import { AcmeGoService } from ${JSON.stringify(join(ROOT, 'examples/recipe-package/src/index.ts'))};`,
    'const app = new App();',
    "new AcmeGoService(app, 'billing', { service: 'billing', strict: true, build: { platforms: ['linux/amd64', 'linux/arm64'] } });",
    'app.synth();',
    '',
  ].join('\n'));
  return kayci('synth', entry, '--stdout');
}

/** The admin's client of the cluster global-setup.ts started. */
export function admin(): Kube {
  return Kube.fromKubeconfig(inject('cluster').kubeconfig);
}

export const INSTALL_IMAGE = 'ghcr.io/kayci-dev/kayci@sha256:0000000000000000000000000000000000000000000000000000000000000000';
export const SYSTEM_NS = 'kayci-system';
export const SERVICE_ACCOUNT = 'kayci-controller';

/** Server-side applies `kayci install` (idempotent) and waits until the CRDs serve. */
export async function install(kube: Kube): Promise<{ objects: KubeObject[]; warnings: string[] }> {
  const applied = await kube.applyYaml(await kayci('install', '--image', INSTALL_IMAGE));
  for (const crd of applied.objects.filter((o) => o.kind === 'CustomResourceDefinition')) {
    await waitFor(`CRD ${crd.metadata.name} established`, async () => {
      const current = await kube.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
      return (current.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Established' && c.status === 'True');
    });
  }
  return applied;
}

/** A token of the controller's ServiceAccount, from the TokenRequest API (as a pod would get it). */
export async function serviceAccountToken(kube: Kube): Promise<string> {
  const request = await kube.create<{ status: { token: string } }>(`/api/v1/namespaces/${SYSTEM_NS}/serviceaccounts/${SERVICE_ACCOUNT}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 7200 },
  });
  return request.status.token;
}

/** A kubeconfig file (in the cluster's directory) that authenticates as the controller's ServiceAccount. */
export async function serviceAccountKubeconfig(kube: Kube): Promise<string> {
  const path = join(inject('cluster').dir, 'kayci-controller.kubeconfig');
  writeFileSync(path, kube.kubeconfig(await serviceAccountToken(kube), `system:serviceaccount:${SYSTEM_NS}:${SERVICE_ACCOUNT}`), { mode: 0o600 });
  return path;
}

export type LogRecord = { level: string; msg: string; [k: string]: unknown };

/** `kayci controller` running as a child process. */
export class Controller {
  readonly logs: LogRecord[] = [];
  /** stderr lines that are not JSON records (there should be none). */
  readonly other: string[] = [];
  port = 0;
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  private constructor(child: ChildProcess) {
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    let pending = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          this.logs.push(JSON.parse(line) as LogRecord);
        } catch {
          this.other.push(line);
        }
      }
      if (process.env.KAYCI_TEST_LOG) process.stderr.write(lines.map((l) => `[controller] ${l}\n`).join(''));
    });
    child.stdout!.resume();
  }

  /** Starts the controller with this kubeconfig and waits until it serves and leads. */
  static async start(kubeconfig: string, ...args: string[]): Promise<Controller> {
    const child = spawn(process.execPath, [join(ROOT, 'bin/kayci.js'), 'controller', `--kubeconfig=${kubeconfig}`, `--lease-namespace=${SYSTEM_NS}`, '--port=0', '--log-level=debug', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, registered with the cluster: down.sh stops it if this test run cannot.
      detached: true,
    });
    const pidFile = join(inject('cluster').dir, 'pids', `kayci-controller-${child.pid}`);
    writeFileSync(pidFile, `${child.pid}\n`);
    child.once('exit', () => rmSync(pidFile, { force: true }));
    const controller = new Controller(child);
    try {
      await waitFor('the controller to start', () => {
        if (child.exitCode !== null) throw new Error(`the controller exited with ${child.exitCode}: ${controller.other.join('\n')}`);
        return controller.logs.find((l) => l.msg === 'controller started');
      }, 60_000);
      controller.port = Number(controller.logs.find((l) => l.msg === 'serving http')?.port);
    } catch (e) {
      await controller.stop('SIGKILL');
      throw e;
    }
    return controller;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async metrics(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.port}/metrics`);
    return response.text();
  }

  /** Log records and metrics samples that show the API server refused a request (403). */
  async forbidden(): Promise<string[]> {
    const fromLogs = this.logs.filter((l) => /forbidden|\b403\b/i.test(JSON.stringify(l))).map((l) => JSON.stringify(l));
    const fromMetrics = this.port && this.running ? (await this.metrics()).split('\n').filter((l) => /code="403"|reason="Forbidden"/.test(l)) : [];
    return [...fromLogs, ...fromMetrics, ...this.other.filter((l) => /forbidden/i.test(l))];
  }

  /** API requests the controller made, by verb and code, from /metrics. */
  async apiRequests(): Promise<Map<string, number>> {
    const samples = new Map<string, number>();
    for (const line of (await this.metrics()).split('\n')) {
      const m = /^kayci_api_requests_total\{(.*)\} (\S+)$/.exec(line);
      if (m) samples.set(m[1]!, Number(m[2]));
    }
    return samples;
  }

  /** Stops it (SIGTERM: a clean stop that releases the lease; SIGKILL: a crash) and waits for the exit. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}
