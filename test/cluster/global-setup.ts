// Starts the control plane (up.sh) once for the cluster tests and stops it (down.sh) after them.
// up.sh is told our pid, so its watchdog stops everything even if this process is killed hard.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import type { ClusterInfo } from './kube.ts';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await run(`${here}up.sh`, ['--owner-pid', String(process.pid)], { maxBuffer: 16 << 20 }).catch((e: { stderr?: string; message: string }) => {
    throw new Error(`test/cluster/up.sh failed: ${e.message}\n${e.stderr ?? ''}`);
  });
  const env = Object.fromEntries(
    started.stdout
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const value = (key: string) => env[key] ?? (() => { throw new Error(`test/cluster/up.sh printed no ${key}:\n${started.stdout}`); })();
  const cluster: ClusterInfo = { kubeconfig: value('KUBECONFIG'), dir: value('KAYCI_CLUSTER_DIR'), server: value('KAYCI_CLUSTER_SERVER'), version: value('KAYCI_CLUSTER_VERSION') };
  process.stderr.write(started.stderr);
  project.provide('cluster', cluster);
  return async () => {
    const stopped = await run(`${here}down.sh`, [cluster.dir]);
    process.stderr.write(stopped.stderr);
  };
}
