// Pipelines and Runs for the cluster tests: the Go example's Pipeline with kwok annotations on
// its pod templates (what each job's containers "do": results, exit codes, holding), small
// pipelines of our own, and waiting for a Run to finish.
import { parseAllDocuments } from 'yaml';
import { synthExample } from './kayci.ts';
import { waitFor, type Kube, type KubeObject } from './kube.ts';

/** Pod annotations kwok's stages act on (test/cluster/kwok.yaml). */
export const KWOK = {
  results: 'kwok.kayci.dev/results',
  exitCode: 'kwok.kayci.dev/exit-code',
  hold: 'kwok.kayci.dev/hold',
  release: 'kwok.kayci.dev/release',
} as const;

export type Behaviour = Partial<Record<keyof typeof KWOK, string>>;

type Job = { name: string; template: { template: { metadata?: { annotations?: Record<string, string> } } } };

/** Adds the kwok annotations of each named job to its pod template. */
export function withBehaviour(pipeline: KubeObject, behaviour: Record<string, Behaviour>): KubeObject {
  const copy = structuredClone(pipeline);
  for (const job of copy.spec.jobs as Job[]) {
    const b = behaviour[job.name];
    if (!b) continue;
    const metadata = (job.template.template.metadata ??= {});
    metadata.annotations = { ...metadata.annotations, ...Object.fromEntries(Object.entries(b).map(([k, v]) => [KWOK[k as keyof typeof KWOK], v])) };
  }
  return copy;
}

let goService: KubeObject | undefined;

/** The Pipeline `kayci synth examples/go-service` writes. */
export async function goServicePipeline(): Promise<KubeObject> {
  goService ??= parseAllDocuments(await synthExample('go-service'))
    .map((d) => d.toJS() as KubeObject)
    .find((o) => o?.kind === 'Pipeline')!;
  return structuredClone(goService);
}

/** A pipeline of our own: jobs in a chain or side by side, busybox containers. */
export function pipeline(name: string, jobs: { name: string; needs?: string[]; retries?: number; results?: string[]; behaviour?: Behaviour }[], spec: Record<string, unknown> = {}): KubeObject {
  const object: KubeObject = {
    apiVersion: 'kayci.dev/v1alpha1',
    kind: 'Pipeline',
    metadata: { name },
    spec: {
      ...spec,
      jobs: jobs.map((j) => ({
        name: j.name,
        needs: j.needs,
        retries: j.retries,
        results: j.results?.map((r) => ({ name: r })),
        template: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.37', command: ['sh', '-c', `echo ${j.name}`] }] } } },
      })),
    },
  };
  return withBehaviour(object, Object.fromEntries(jobs.filter((j) => j.behaviour).map((j) => [j.name, j.behaviour!])));
}

export function runObject(name: string, pipelineName: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'kayci.dev/v1alpha1', kind: 'Run', metadata: { name }, spec: { pipelineRef: { name: pipelineName }, ...spec } };
}

export const TERMINAL = ['Succeeded', 'Failed', 'Cancelled'];

/** Waits until the Run is in one of these phases (default: finished) and returns it. */
export async function waitForRun(kube: Kube, namespace: string, name: string, phases = TERMINAL, timeoutMs = 120_000): Promise<KubeObject> {
  return waitFor(`run ${namespace}/${name} to be ${phases.join(' or ')}`, async () => {
    const run = await kube.get(`/apis/kayci.dev/v1alpha1/namespaces/${namespace}/runs/${name}`);
    return phases.includes(run.status?.phase) ? run : undefined;
  }, timeoutMs);
}

export type JobStatus = { name: string; phase: string; attempts?: number; jobName?: string; results?: Record<string, string>; reason?: string; message?: string };

export function jobStatus(run: KubeObject, job: string): JobStatus | undefined {
  return (run.status?.jobs as JobStatus[] | undefined)?.find((j) => j.name === job);
}

/** The Jobs, Pods, ConfigMaps and claims of a Run, by its label. */
export async function runObjects(kube: Kube, namespace: string, run: string): Promise<{ jobs: KubeObject[]; pods: KubeObject[]; configMaps: KubeObject[]; claims: KubeObject[] }> {
  const selector = `kayci.dev/run=${run}`;
  const [jobs, pods, configMaps, claims] = await Promise.all([
    kube.list(`/apis/batch/v1/namespaces/${namespace}/jobs`, selector),
    kube.list(`/api/v1/namespaces/${namespace}/pods`, selector),
    kube.list(`/api/v1/namespaces/${namespace}/configmaps`, selector),
    kube.list(`/api/v1/namespaces/${namespace}/persistentvolumeclaims`, selector),
  ]);
  return { jobs, pods, configMaps, claims };
}

/** A namespace for a test, with the Go cache claim the Go recipes mount (made once per namespace). */
export async function testNamespace(kube: Kube, name: string): Promise<void> {
  await kube.ensureNamespace(name);
  await kube.apply({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'kayci-cache-go', namespace: name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  // Pods are admitted once the service account controller made the namespace's default account.
  await waitFor(`the default ServiceAccount of ${name}`, () => kube.find(`/api/v1/namespaces/${name}/serviceaccounts/default`));
}

/** Waits for a running pod of the job (not one of `except`) and returns it. */
export async function runningPod(kube: Kube, namespace: string, run: string, job: string, except: string[] = []): Promise<KubeObject> {
  return waitFor(`a running pod of ${run}/${job}`, async () => {
    const pods = await kube.list(`/api/v1/namespaces/${namespace}/pods`, `kayci.dev/run=${run},kayci.dev/job=${job}`);
    return pods.find((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && !except.includes(p.metadata.uid!));
  });
}

/** Lets a held pod finish (kwok.kayci.dev/release). */
export async function release(kube: Kube, pod: KubeObject): Promise<void> {
  await kube.patch(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, { metadata: { annotations: { [KWOK.release]: 'true' } } });
}
