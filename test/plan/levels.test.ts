// levels(): DAG levels for dry-run display.
import { describe, expect, it } from 'vitest';
import type { PipelineJob } from '../../src/api/v1alpha1/pipeline.ts';
import { buildGraph } from '../../src/plan/graph.ts';
import { levels } from '../../src/plan/levels.ts';
import { job } from '../helpers/objects.ts';

const byName = (jobs: PipelineJob[]) => {
  const l = levels(buildGraph(jobs));
  return Object.fromEntries(jobs.map((j, i) => [j.name, l[i]]));
};

describe('levels()', () => {
  it.each<[string, PipelineJob[], Record<string, number>]>([
    ['roots are level 1', [job('a'), job('b')], { a: 1, b: 1 }],
    ['a chain', [job('a'), job('b', { needs: ['a'] }), job('c', { needs: ['b'] })], { a: 1, b: 2, c: 3 }],
    ['the longest path decides', [job('a'), job('b', { needs: ['a'] }), job('c', { needs: ['b'] }), job('d', { needs: ['a', 'c'] })], { a: 1, b: 2, c: 3, d: 4 }],
    ['needs listed after their dependents', [job('d', { needs: ['c'] }), job('c', { needs: ['b'] }), job('b')], { d: 3, c: 2, b: 1 }],
    ['finally jobs come after every other job', [job('cleanup', { when: { status: 'always' } }), job('a'), job('b', { needs: ['a'] }), job('n', { when: { status: 'failure' } })], { cleanup: 3, a: 1, b: 2, n: 3 }],
    ['a job with needs and when always is not a finally job', [job('a'), job('b', { needs: ['a'], when: { status: 'always' } }), job('c')], { a: 1, b: 2, c: 1 }],
    ['only finally jobs', [job('x', { when: { status: 'always' } })], { x: 1 }],
    ['a job that needs a finally job comes after it', [job('a'), job('cleanup', { when: { status: 'always' } }), job('report', { needs: ['cleanup'] })], { a: 1, cleanup: 2, report: 3 }],
  ])('%s', (_n, jobs, expected) => {
    expect(byName(jobs)).toEqual(expected);
  });
});
