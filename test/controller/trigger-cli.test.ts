// `kayci trigger`: a Run made by hand through the generic webhook's path — metadata from the
// flags (provider manual), params and jobs, a Trigger's filters and params when named — and
// `--wait` following it to its end (exit 0 on success). Bad flags are usage errors (exit 2);
// a missing Pipeline or a filtered-out Run is a message (exit 1), and nothing is created.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { RunSpec } from '../../src/api/v1alpha1/run.ts';
import { captureIo, scratchDir } from '../helpers/project.ts';
import { environment, layered, NS, pipelineObject } from './setup.ts';
import type { KubeObject } from '../harness/fake-apiserver/index.ts';

async function setup() {
  const env = await environment();
  const params = ['version', 'target', 'channel', 'extra'].map((name) => ({ name, default: '' }));
  env.server.store.create(pipelineObject('svc', { ...layered(2, 1), params }));
  const kubeconfig = path.join(scratchDir('kayci-trigger-'), 'kubeconfig');
  writeFileSync(kubeconfig, env.server.kubeConfig().exportConfig());
  const runs = () => env.server.store.list('runs', NS) as unknown as (KubeObject & { spec: RunSpec })[];
  return { env, runs, kc: ['--kubeconfig', kubeconfig, '-n', NS] };
}

describe('kayci trigger', () => {
  it('creates a Run with the flags as metadata, params and jobs', async () => {
    const { runs, kc } = await setup();
    const io = captureIo(process.cwd());
    const code = await main(['trigger', 'svc', ...kc, '--sha', 'b'.repeat(40), '--ref', 'refs/heads/release/1.2', '-p', 'version=1.2.0', '--param', 'target=linux', '--job', 'l0-0'], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    expect(runs()).toHaveLength(1);
    const run = runs()[0]!;
    expect(io.stdout).toContain(`run/${run.metadata.name} created in namespace ${NS}`);
    expect(run.spec.metadata).toMatchObject({ provider: 'manual', event: 'manual', commitSha: 'b'.repeat(40), ref: 'refs/heads/release/1.2', branch: 'release/1.2' });
    expect(run.spec.metadata?.trigger).toBeUndefined();
    expect(run.spec.params).toEqual([{ name: 'version', value: '1.2.0' }, { name: 'target', value: 'linux' }]);
    expect(run.spec.jobs).toEqual(['l0-0']);
    expect(run.spec.pipelineSpec).toBeDefined();
    expect(run.metadata.labels?.['kayci.dev/trigger']).toBeUndefined();
  });

  it('--wait follows the Run to Succeeded and exits 0', async () => {
    const { env, kc } = await setup();
    await env.start();
    const io = captureIo(process.cwd());
    expect(await main(['trigger', 'svc', ...kc, '--wait'], io)).toBe(0);
    expect(io.stdout).toMatch(/^Succeeded/m);
  });

  it('as a named generic Trigger: its params apply, and its branch filter can refuse the Run', async () => {
    const { env, runs, kc } = await setup();
    env.server.store.create({ apiVersion: 'kayci.dev/v1alpha1', kind: 'Trigger', metadata: { name: 'manual-main', namespace: NS }, spec: { pipelineRef: { name: 'svc' }, webhook: { provider: 'generic', secretRefs: [{ name: 's', key: 'k' }], branches: ['main'] }, params: [{ name: 'channel', value: 'stable' }] } } as unknown as KubeObject);
    const refused = captureIo(process.cwd());
    expect(await main(['trigger', 'svc', ...kc, '--trigger', 'manual-main', '--ref', 'refs/heads/feature'], refused)).toBe(1);
    expect(refused.stderr).toContain("no Run created: branch feature matches none of the Trigger's branches (main)");
    expect(runs()).toHaveLength(0);
    const io = captureIo(process.cwd());
    expect(await main(['trigger', 'svc', ...kc, '--trigger', 'manual-main', '--ref', 'refs/heads/main', '-p', 'extra=1'], io)).toBe(0);
    expect(runs()[0]!.spec.params).toEqual([{ name: 'channel', value: 'stable' }, { name: 'extra', value: '1' }]);
    expect(runs()[0]!.spec.metadata?.trigger).toBe('manual-main');
  });

  it.each([
    [['--param', 'novalue'], /--param "novalue": expected name=value/, 2],
    [['--sha', 'HEAD'], /--sha "HEAD": expected a commit SHA/, 2],
    [['--ref', 'main'], /--ref "main": expected a full ref such as refs\/heads\/main/, 2],
    [['--job', 'nope'], /--job: the pipeline has no job nope \(jobs: l0-0, l1-0\)/, 2],
    [['-p', 'colour=red'], /--param: the pipeline has no parameter colour \(parameters: version, target, channel, extra\)/, 2],
  ])('bad flags %j: a usage error, nothing created', async (flags, message, exit) => {
    const { runs, kc } = await setup();
    const io = captureIo(process.cwd());
    expect(await main(['trigger', 'svc', ...kc, ...flags], io)).toBe(exit);
    expect(io.stderr).toMatch(message);
    expect(runs()).toHaveLength(0);
  });

  it('a Pipeline that does not exist is named in the error', async () => {
    const { kc } = await setup();
    const io = captureIo(process.cwd());
    expect(await main(['trigger', 'nope', ...kc], io)).toBe(1);
    expect(io.stderr).toContain(`kayci: no Pipeline nope in namespace ${NS} (kubectl get pipelines -n ${NS} lists them)`);
  });
});
