// Deterministic object names: `<run>-<job>`, hashed down to a DNS label when too long.
import { describe, expect, it } from 'vitest';
import { jobObjectName, joinName, runConfigMapName, workspaceClaimName } from '../../src/plan/names.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('names', () => {
  it('short names are joined as they are; Job names always end in a hash of the pair', () => {
    expect(jobObjectName('demo-42', 'build')).toMatch(/^demo-42-build-[0-9a-f]{8}$/);
    // The join alone is ambiguous; the hash is not.
    expect(jobObjectName('app-1', 'lint-x')).not.toBe(jobObjectName('app-1-lint', 'x'));
    expect(jobObjectName('app-1', 'lint-x').slice(0, -9)).toBe(jobObjectName('app-1-lint', 'x').slice(0, -9));
    expect(runConfigMapName('demo-42')).toBe('demo-42-env');
    expect(workspaceClaimName('demo-42')).toBe('demo-42-workspace');
    expect(joinName('x'.repeat(63))).toBe('x'.repeat(63));
  });

  it('long names are shortened to 63 characters ending in a hash, deterministically', () => {
    const run = `pipeline-with-a-long-name-${'r'.repeat(40)}`;
    const name = jobObjectName(run, 'integration-tests');
    expect(name).toHaveLength(63);
    expect(name).toMatch(DNS_LABEL);
    expect(name).toMatch(/-[0-9a-f]{8}$/);
    expect(name.startsWith('pipeline-with-a-long-name-')).toBe(true);
    expect(jobObjectName(run, 'integration-tests')).toBe(name);
    expect(joinName('y'.repeat(64))).toHaveLength(63);
  });

  it('names that differ only past the cut get different hashes', () => {
    const run = 'r'.repeat(60);
    const names = ['unit', 'unit-2', 'lint', 'a'.repeat(63), 'a'.repeat(62)].map((j) => jobObjectName(run, j));
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(63);
  });

  it('never ends the shortened part with a dash or dot', () => {
    // The cut falls right after a run of dashes/dots.
    const run = `${'a'.repeat(50)}-.-.-.-.-.-`;
    const name = jobObjectName(run, 'job');
    expect(name).toMatch(/^a{50}-[0-9a-f]{8}$/);
  });

  it('is a DNS label for every valid run and job name', () => {
    const runs = ['a', 'demo-20300101-000000', 'x'.repeat(63), `a${'-b'.repeat(40)}`, `${'9'.repeat(100)}`];
    const jobs = ['b', 'build-and-test', 'j'.repeat(63)];
    for (const r of runs) for (const j of jobs) expect(jobObjectName(r, j)).toMatch(DNS_LABEL);
  });
});
