// The controller crashes (SIGKILL) in the middle of a Run, twice — once while a job runs, once
// right after it created a Job — and the controllers after it finish the Run with no Job made
// twice: names are deterministic, an existing Job is adopted, never replaced.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, Controller, install, serviceAccountKubeconfig } from './kayci.ts';
import { waitFor } from './kube.ts';
import { jobStatus, pipeline, release, runningPod, runObject, runObjects, testNamespace, waitForRun } from './runs.ts';

const kube = admin();
const NS = 'restart';
const controllers: Controller[] = [];
let kubeconfig: string;

beforeAll(async () => {
  await install(kube);
  await testNamespace(kube, NS);
  kubeconfig = await serviceAccountKubeconfig(kube);
});
afterAll(async () => {
  for (const c of controllers) await c.stop();
  await kube.close();
});

async function start(): Promise<Controller> {
  const c = await Controller.start(kubeconfig);
  controllers.push(c);
  return c;
}

it('a controller restarted mid-run finishes the Run with 0 duplicate Jobs', async () => {
  const held = { hold: 'true' };
  await kube.apply(pipeline('chain', [
    { name: 'a', behaviour: { ...held, results: 'n=1' }, results: ['n'] },
    { name: 'b', needs: ['a'], behaviour: held },
    { name: 'c', needs: ['b'], behaviour: held },
  ]), NS);
  const jobsWatch = await kube.record(`/apis/batch/v1/namespaces/${NS}/jobs`, 'kayci.dev/run=chain-1');
  try {
    let controller = await start();
    await kube.create(`/apis/kayci.dev/v1alpha1/namespaces/${NS}/runs`, runObject('chain-1', 'chain'));

    // Crash while job a runs; a finishes while no controller is there.
    const a = await runningPod(kube, NS, 'chain-1', 'a');
    await controller.stop('SIGKILL');
    await release(kube, a);
    await waitFor('job a to complete', async () => (await runObjects(kube, NS, 'chain-1')).jobs.find((j) => j.metadata.labels!['kayci.dev/job'] === 'a' && j.status?.succeeded === 1));

    // The next controller (once the dead one's lease expired) reads a's result and starts b; it
    // crashes the moment b's Job exists, before it could record anything about it.
    controller = await start();
    await waitFor('job b to be created', async () => (await runObjects(kube, NS, 'chain-1')).jobs.find((j) => j.metadata.labels!['kayci.dev/job'] === 'b'), 90_000, 50);
    await controller.stop('SIGKILL');

    controller = await start();
    await release(kube, await runningPod(kube, NS, 'chain-1', 'b'));
    await release(kube, await runningPod(kube, NS, 'chain-1', 'c'));
    const run = await waitForRun(kube, NS, 'chain-1');
    expect(run.status.phase).toBe('Succeeded');
    expect(jobStatus(run, 'a')?.results).toEqual({ n: '1' });
    for (const job of ['a', 'b', 'c']) expect(jobStatus(run, job)).toEqual(expect.objectContaining({ phase: 'Succeeded', attempts: 1 }));

    // Every Job ever created for the Run (the watch saw each one): one per job, never replaced.
    const uids = new Map<string, Set<string>>();
    for (const job of jobsWatch.seen) {
      const name = job.metadata.labels!['kayci.dev/job']!;
      uids.set(name, (uids.get(name) ?? new Set()).add(job.metadata.uid!));
    }
    expect(Object.fromEntries([...uids].map(([k, v]) => [k, v.size]))).toEqual({ a: 1, b: 1, c: 1 });
    const { jobs } = await runObjects(kube, NS, 'chain-1');
    expect(jobs).toHaveLength(3);
    const duplicates = jobs.length - new Set(jobs.map((j) => j.metadata.labels!['kayci.dev/job'])).size;
    console.log(`restart: ${controllers.length} controllers, ${jobs.length} Jobs for 3 jobs, ${duplicates} duplicates`);

    for (const c of controllers) expect(await c.forbidden()).toEqual([]);
  } finally {
    jobsWatch.stop();
  }
});
