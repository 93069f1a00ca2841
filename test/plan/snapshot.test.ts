// snapshotOf()/selectJobs(): what a Run executes, and the run-wide environment it implies.
import { describe, expect, it } from 'vitest';
import { runEnv } from '../../src/plan/env.ts';
import { selectJobs, snapshotOf, SnapshotError } from '../../src/plan/snapshot.ts';
import { job } from '../helpers/objects.ts';
import { runOf } from './fixtures.ts';

describe('snapshotOf()', () => {
  it('takes names, namespace, uid, metadata and the cancel flag from the Run', () => {
    const s = snapshotOf(runOf([job('a')], { name: 'run-7', namespace: 'team', pipeline: 'svc', uid: 'u-7', metadata: { branch: 'main' }, cancel: true }));
    expect(s).toMatchObject({ run: 'run-7', namespace: 'team', pipeline: 'svc', uid: 'u-7', metadata: { branch: 'main' }, cancel: true, params: {} });
    expect(s.jobs.map((j) => j.name)).toEqual(['a']);
  });

  it('defaults: namespace "default", no metadata, not cancelled', () => {
    const run = runOf([job('a')]);
    delete run.metadata.namespace;
    const s = snapshotOf(run);
    expect(s).toMatchObject({ namespace: 'default', metadata: {}, cancel: false });
  });

  it('a Run without a pipelineSpec snapshot is a SnapshotError with a stable code', () => {
    const run = runOf([job('a')]);
    delete run.spec.pipelineSpec;
    expect(() => snapshotOf(run)).toThrow(SnapshotError);
    expect(() => snapshotOf(run)).toThrow(expect.objectContaining({ code: 'KAYCI_BAD_SNAPSHOT', message: expect.stringMatching(/r1 has no pipelineSpec/) }));
  });

  it('params: declared defaults, overridden by the Run; no default and no value means no variable', () => {
    const spec = { params: [{ name: 'version', default: 'dev' }, { name: 'target', default: 'linux' }, { name: 'token' }, { name: 'go-version', default: '1.24' }] };
    const s = snapshotOf(runOf([job('a')], { spec, params: { target: 'darwin', 'go-version': '' } }));
    expect(s.params).toEqual({ version: 'dev', target: 'darwin', 'go-version': '' });
    expect(runEnv(s)).toEqual({
      KAYCI_RUN: 'r1',
      KAYCI_PIPELINE: 'demo',
      KAYCI_NAMESPACE: 'ci',
      KAYCI_PARAM_VERSION: 'dev',
      KAYCI_PARAM_TARGET: 'darwin',
      KAYCI_PARAM_GO_VERSION: '',
    });
  });

  it('runEnv: metadata as variables, absent and empty fields omitted, changed files never exported', () => {
    const s = snapshotOf(runOf([job('a')], { metadata: { provider: 'github', event: 'push', branch: 'main', commitSha: 'abcdef0', tag: '', changedFiles: ['x'] } }));
    expect(runEnv(s)).toEqual({ KAYCI_RUN: 'r1', KAYCI_PIPELINE: 'demo', KAYCI_NAMESPACE: 'ci', KAYCI_PROVIDER: 'github', KAYCI_EVENT: 'push', KAYCI_BRANCH: 'main', KAYCI_COMMIT_SHA: 'abcdef0' });
  });
});

describe('selectJobs()', () => {
  const all = [job('a'), job('b', { needs: ['a'] }), job('c', { needs: ['b'] }), job('d', { needs: ['a'] }), job('e')];
  const names = (sel: string[] | undefined) => selectJobs(all, sel).map((j) => j.name);

  it.each([
    ['none named: all', undefined, ['a', 'b', 'c', 'd', 'e']],
    ['empty: all', [], ['a', 'b', 'c', 'd', 'e']],
    ['a root', ['e'], ['e']],
    ['transitive needs, pipeline order', ['c'], ['a', 'b', 'c']],
    ['overlapping selections once', ['d', 'c', 'c'], ['a', 'b', 'c', 'd']],
  ] as const)('%s', (_n, sel, expected) => {
    expect(names(sel && [...sel])).toEqual(expected);
  });

  it('an unknown name is a SnapshotError naming it', () => {
    expect(() => selectJobs(all, ['a', 'nope'])).toThrow(SnapshotError);
    expect(() => selectJobs(all, ['nope'])).toThrow(/no job "nope"/);
    expect(() => snapshotOf(runOf(all, { jobs: ['nope'] }))).toThrow(SnapshotError);
  });
});
