import { describe, expect, it } from 'vitest';
import { environment, layered, NS, phaseOf, pipelineObject, runObject } from './setup.ts';

describe('controller smoke', () => {
  it('runs a two-layer pipeline to success', async () => {
    const env = await environment();
    env.server.store.create(pipelineObject('p', layered(2, 2)));
    await env.start();
    env.server.store.create(runObject('r1', 'p'));
    expect(await phaseOf(env.server, 'r1')).toBe('Succeeded');
    const jobs = env.server.store.list('jobs', NS);
    expect(jobs).toHaveLength(4);
  });
});
