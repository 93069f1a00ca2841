// The request checks used by the feedback tests can fail: what GitHub's description and GitLab's
// documentation do not allow is reported.
import { describe, expect, it } from 'vitest';
import { githubChecker, gitlabChecker, type Recorded } from './forge.ts';

const SHA = 'a'.repeat(40);

function request(path: string, body: unknown): Recorded {
  return { seq: 0, method: 'POST', path, headers: { 'content-type': 'application/json' }, body, status: 201 };
}

describe('request checks', () => {
  it('GitHub: state enum, types, path template and base', () => {
    const github = githubChecker();
    expect(github.check(request(`/api/v3/repos/acme/svc/statuses/${SHA}`, { state: 'success', context: 'kayci/svc', description: 'ok', target_url: 'https://x' }), '/api/v3')).toEqual([]);
    expect(github.check(request(`/api/v3/repos/acme/svc/statuses/${SHA}`, { state: 'skipped', context: 'kayci/svc' }), '/api/v3')).not.toEqual([]);
    expect(github.check(request(`/api/v3/repos/acme/svc/statuses/${SHA}`, { context: 'kayci/svc' }), '/api/v3')).not.toEqual([]);
    expect(github.check(request(`/api/v3/repos/acme/svc/statuses/${SHA}`, { state: 'success', description: 42 }), '/api/v3')).not.toEqual([]);
    expect(github.check(request(`/api/v3/repos/acme/statuses/${SHA}`, { state: 'success' }), '/api/v3')).not.toEqual([]);
    expect(github.check(request(`/repos/acme/svc/statuses/${SHA}`, { state: 'success' }), '/api/v3')).not.toEqual([]);
  });

  it('GitLab: documented states and attributes, 255-character limits, the project URL-encoded', () => {
    const gitlab = gitlabChecker();
    const path = `/api/v4/projects/g%2Fp/statuses/${SHA}`;
    expect(gitlab.check(request(path, { state: 'skipped', name: 'kayci/svc', ref: 'main', description: 'skipped' }), '/api/v4', 'g/p')).toEqual([]);
    expect(gitlab.check(request(path, { state: 'error', name: 'kayci/svc' }), '/api/v4', 'g/p')).not.toEqual([]);
    expect(gitlab.check(request(path, { state: 'success', target_url: `https://x/${'y'.repeat(300)}` }), '/api/v4', 'g/p')).not.toEqual([]);
    expect(gitlab.check(request(path, { state: 'success', colour: 'green' }), '/api/v4', 'g/p')).not.toEqual([]);
    expect(gitlab.check(request(`/api/v4/projects/g/p/statuses/${SHA}`, { state: 'success' }), '/api/v4', 'g/p')).not.toEqual([]);
  });
});
