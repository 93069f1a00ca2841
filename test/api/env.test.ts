import { describe, expect, it } from 'vitest';
import { CRDS, ENV_PREFIX, JOB_ENV, METADATA_ENV, RUN_ENV, envPart, envRef, metadataEnv, paramEnv, resultEnv } from '../../src/api/index.ts';
import type { RunMetadata } from '../../src/api/v1alpha1/run.ts';

describe('environment contract', () => {
  it.each([
    ['build', 'BUILD'],
    ['build-image', 'BUILD_IMAGE'],
    ['a-b-c', 'A_B_C'],
    ['go_version', 'GO_VERSION'],
    ['camelCase', 'CAMELCASE'],
    ['v2', 'V2'],
  ])('envPart(%j) is %j', (name, part) => {
    expect(envPart(name)).toBe(part);
  });

  it('names parameter and result variables', () => {
    expect(paramEnv('version')).toBe('KAYCI_PARAM_VERSION');
    expect(paramEnv('go-version')).toBe('KAYCI_PARAM_GO_VERSION');
    expect(resultEnv('build', 'digest')).toBe('KAYCI_RESULT_BUILD_DIGEST');
    expect(resultEnv('build-image', 'image-ref')).toBe('KAYCI_RESULT_BUILD_IMAGE_IMAGE_REF');
    expect(envRef('KAYCI_BRANCH')).toBe('$(KAYCI_BRANCH)');
  });

  it('maps names that differ only in - and _ to the same variable (validation reports the clash)', () => {
    expect(paramEnv('a-b')).toBe(paramEnv('a_b'));
    expect(resultEnv('a-b', 'c')).toBe(resultEnv('a', 'b-c'));
  });

  it('fixes the variable names of DESIGN.md', () => {
    expect(Object.values(RUN_ENV).sort()).toEqual(['KAYCI_NAMESPACE', 'KAYCI_PIPELINE', 'KAYCI_RUN']);
    expect(Object.values(JOB_ENV).sort()).toEqual(['KAYCI_JOB', 'KAYCI_RESULTS_FILE']);
    expect(Object.values(METADATA_ENV).sort()).toEqual([
      'KAYCI_ACTOR', 'KAYCI_BRANCH', 'KAYCI_COMMIT_SHA', 'KAYCI_EVENT', 'KAYCI_PROVIDER', 'KAYCI_PR_BASE_REF',
      'KAYCI_PR_NUMBER', 'KAYCI_REF', 'KAYCI_REPO', 'KAYCI_REPO_URL', 'KAYCI_TAG', 'KAYCI_TRIGGER',
    ]);
    for (const v of [...Object.values(RUN_ENV), ...Object.values(JOB_ENV), ...Object.values(METADATA_ENV)]) expect(v.startsWith(ENV_PREFIX)).toBe(true);
  });

  it('exports every field of the Run CRD spec.metadata except changedFiles', () => {
    const run = CRDS.find((c) => c.spec.names.kind === 'Run')!;
    const fields = Object.keys(run.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!.properties!.metadata!.properties!);
    expect(Object.keys(METADATA_ENV).sort()).toEqual(fields.filter((f) => f !== 'changedFiles').sort());
  });

  describe('metadataEnv', () => {
    const full: Required<RunMetadata> = {
      trigger: 'demo-push',
      provider: 'github',
      event: 'pull_request',
      repoUrl: 'https://github.com/acme/service.git',
      repo: 'acme/service',
      commitSha: '3f786850e387550fdab836ed7e6dc881de23001b',
      ref: 'refs/pull/42/head',
      branch: 'feature/x',
      tag: 'v1.2.3',
      prNumber: '42',
      prBaseRef: 'main',
      actor: 'octocat',
      changedFiles: ['src/main.go', 'README.md'],
    };

    it('is empty without metadata', () => {
      expect(metadataEnv(undefined)).toEqual({});
      expect(metadataEnv({})).toEqual({});
    });

    it('exports every field but changedFiles', () => {
      expect(metadataEnv(full)).toEqual({
        KAYCI_TRIGGER: 'demo-push',
        KAYCI_PROVIDER: 'github',
        KAYCI_EVENT: 'pull_request',
        KAYCI_REPO_URL: 'https://github.com/acme/service.git',
        KAYCI_REPO: 'acme/service',
        KAYCI_COMMIT_SHA: '3f786850e387550fdab836ed7e6dc881de23001b',
        KAYCI_REF: 'refs/pull/42/head',
        KAYCI_BRANCH: 'feature/x',
        KAYCI_TAG: 'v1.2.3',
        KAYCI_PR_NUMBER: '42',
        KAYCI_PR_BASE_REF: 'main',
        KAYCI_ACTOR: 'octocat',
      });
      const values = Object.values(metadataEnv(full)).join('\n');
      expect(values).not.toContain('src/main.go');
      expect(Object.keys(metadataEnv(full)).some((k) => /CHANGED|FILES/.test(k))).toBe(false);
    });

    it('omits unset and empty fields, never writing an empty string', () => {
      const env = metadataEnv({ provider: 'manual', branch: '', tag: undefined, event: 'manual', changedFiles: [] });
      expect(env).toEqual({ KAYCI_PROVIDER: 'manual', KAYCI_EVENT: 'manual' });
      expect(Object.values(env)).not.toContain('');
    });

    it('ignores fields that are not part of the contract', () => {
      expect(metadataEnv({ branch: 'main', secret: 'x' } as RunMetadata)).toEqual({ KAYCI_BRANCH: 'main' });
    });
  });
});
