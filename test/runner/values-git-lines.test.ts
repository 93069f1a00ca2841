// Small pure pieces of the local runner: where Secret and ConfigMap values come from locally,
// the repository slug of a remote URL, and splitting output into lines.
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../src/runner/git.ts';
import { LineSplitter } from '../../src/runner/lines.ts';
import { configMapEnvName, localValues, secretEnvName } from '../../src/runner/values.ts';

describe('secretEnvName / configMapEnvName', () => {
  it.each([
    ['creds', 'token', 'KAYCI_SECRET_CREDS_TOKEN'],
    ['github-webhook', 'secret', 'KAYCI_SECRET_GITHUB_WEBHOOK_SECRET'],
    ['registry', 'api.token', 'KAYCI_SECRET_REGISTRY_API_TOKEN'],
    ['tls', 'tls.crt', 'KAYCI_SECRET_TLS_TLS_CRT'],
    ['s', 'my-key.v2', 'KAYCI_SECRET_S_MY_KEY_V2'],
  ])('Secret %s, key %s → %s', (secret, key, want) => {
    expect(secretEnvName(secret, key)).toBe(want);
  });

  it('ConfigMaps get their own prefix', () => {
    expect(configMapEnvName('build-config', 'go.version')).toBe('KAYCI_CONFIGMAP_BUILD_CONFIG_GO_VERSION');
  });
});

describe('localValues', () => {
  const host = { KAYCI_SECRET_CREDS_API_TOKEN: 's3cret', KAYCI_CONFIGMAP_SETTINGS_LEVEL: 'debug', KAYCI_SECRET_EMPTY_V: '' };
  const values = localValues(host, { name: 'demo-20260101-000000', namespace: 'ci' });
  const secret = (name: string, key: string, optional?: boolean) => ({ secretKeyRef: { name, key, optional } });

  it('reads Secret and ConfigMap keys from KAYCI_SECRET_* and KAYCI_CONFIGMAP_* variables', () => {
    expect(values.resolve(secret('creds', 'api.token'), 'TOKEN')).toBe('s3cret');
    expect(values.resolve({ configMapKeyRef: { name: 'settings', key: 'level' } }, 'LEVEL')).toBe('debug');
    expect(values.missing(secret('creds', 'api.token'), 'TOKEN')).toBeUndefined();
  });

  it('an empty value is a value', () => {
    expect(values.resolve(secret('empty', 'v'), 'E')).toBe('');
    expect(values.missing(secret('empty', 'v'), 'E')).toBeUndefined();
  });

  it('says which variable to set for a missing Secret or ConfigMap key', () => {
    expect(values.resolve(secret('creds', 'password'), 'PASSWORD')).toBeUndefined();
    expect(values.missing(secret('creds', 'password'), 'PASSWORD')).toBe('env PASSWORD reads Secret creds, key password: locally set KAYCI_SECRET_CREDS_PASSWORD in your environment');
    expect(values.missing({ configMapKeyRef: { name: 'settings', key: 'mode' } }, 'MODE')).toBe('env MODE reads ConfigMap settings, key mode: locally set KAYCI_CONFIGMAP_SETTINGS_MODE in your environment');
  });

  it('a missing optional key is not a problem, and stays unset', () => {
    expect(values.missing(secret('creds', 'password', true), 'PASSWORD')).toBeUndefined();
    expect(values.resolve(secret('creds', 'password', true), 'PASSWORD')).toBeUndefined();
  });

  it('answers the pod\'s own fields plausibly, and names those it cannot', () => {
    expect(values.resolve({ fieldRef: { fieldPath: 'metadata.name' } }, 'POD')).toBe('demo-20260101-000000');
    expect(values.resolve({ fieldRef: { fieldPath: 'metadata.namespace' } }, 'NS')).toBe('ci');
    expect(values.resolve({ fieldRef: { fieldPath: 'status.podIP' } }, 'IP')).toBe('127.0.0.1');
    expect(values.missing({ fieldRef: { fieldPath: 'metadata.uid' } }, 'UID')).toBe('env UID reads fieldRef metadata.uid, which a local run cannot provide');
    expect(values.missing({ resourceFieldRef: { resource: 'limits.cpu' } }, 'CPUS')).toBe('env CPUS reads resourceFieldRef, which a local run cannot provide');
  });
});

describe('repoPath', () => {
  it.each([
    ['git@github.com:acme/svc.git', 'acme/svc'],
    ['git@github.com:acme/svc', 'acme/svc'],
    ['github.com:acme/svc.git', 'acme/svc'],
    ['https://github.com/acme/svc.git', 'acme/svc'],
    ['https://github.com/acme/svc', 'acme/svc'],
    ['https://github.com/acme/svc/', 'acme/svc'],
    ['https://github.com/acme/svc.git/', 'acme/svc'],
    ['https://user:token@gitlab.example.com/group/sub/svc.git', 'group/sub/svc'],
    ['ssh://git@github.com/acme/svc.git', 'acme/svc'],
    ['ssh://git@gitlab.example.com:2222/group/svc.git', 'group/svc'],
    ['http://localhost:3000/acme/svc', 'acme/svc'],
    ['git+ssh://git@github.com/acme/svc.git', 'acme/svc'],
    ['https://github.com/acme/my.svc.git', 'acme/my.svc'],
  ])('%s → %s', (url, want) => {
    expect(repoPath(url)).toBe(want);
  });

  it.each([[undefined], [''], ['/srv/git/svc.git'], ['file:///srv/git/svc.git'], ['https://github.com/']])('%j has no slug', (url) => {
    expect(repoPath(url)).toBeUndefined();
  });
});

describe('LineSplitter', () => {
  const split = () => {
    const lines: string[] = [];
    return { lines, s: new LineSplitter((l) => lines.push(l)) };
  };

  it('emits complete lines and keeps a partial one for the next chunk', () => {
    const { lines, s } = split();
    s.push('one\ntw');
    expect(lines).toEqual(['one']);
    s.push('o\nthr');
    s.push('ee');
    expect(lines).toEqual(['one', 'two']);
    s.push('\n');
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('emits the unterminated last line at the end, once', () => {
    const { lines, s } = split();
    s.push('a\nlast');
    s.end();
    s.end();
    expect(lines).toEqual(['a', 'last']);
  });

  it('keeps empty lines and drops the \\r of CRLF', () => {
    const { lines, s } = split();
    s.push('a\r\n\r\n\nb\r');
    s.push('\n');
    s.end();
    expect(lines).toEqual(['a', '', '', 'b']);
  });

  it('does not emit anything for an empty stream or a trailing newline', () => {
    const { lines, s } = split();
    s.push('');
    s.end();
    expect(lines).toEqual([]);
    const t = split();
    t.s.push('x\n');
    t.s.end();
    expect(t.lines).toEqual(['x']);
  });

  it('accepts Buffers, including a multi-byte character split across chunks', () => {
    const { lines, s } = split();
    const bytes = Buffer.from('Zoë ✓\n');
    s.push(bytes.subarray(0, 3));
    s.push(bytes.subarray(3));
    s.end();
    expect(lines).toEqual(['Zoë ✓']);
  });
});
