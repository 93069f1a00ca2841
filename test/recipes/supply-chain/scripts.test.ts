// The recipes' scripts run as the cluster runs them — `sh -ec <script>` with the job's env —
// against real tools on this machine: Checkout's clone path (a local run never takes it, since
// KAYCI_PROVIDER is `local` there) with real git repositories and submodules, the token it
// sends over HTTP, the Docker config written for registry credentials (by Push, and by the
// prepare steps of Sbom, Sign and Scan for their tools), the digest check, and the results steps
// (Sign's signature names against `cosign triangulate`).
import { execFileSync, spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { Param, Secret } from '../../../constructs/index.ts';
import { Checkout, Push, Sbom, Scan, Sign } from '../../../recipes/supply-chain/index.ts';
import { scratchDir } from '../../helpers/project.ts';
import { itWithTools } from '../../helpers/tools.ts';
import { newPipeline, scriptOf } from './helpers.ts';

const it = itWithTools(['git']);
const itCosign = itWithTools(['cosign']);

interface Ran {
  readonly code: number | null;
  readonly out: string;
  readonly results: string;
}

/** Runs `sh -ec script` in `cwd` with only the given env (plus PATH and HOME), like a container. */
function runScript(script: string, cwd: string, env: Record<string, string>): Promise<Ran> {
  const resultsFile = path.join(scratchDir('kayci-results-'), 'results');
  writeFileSync(resultsFile, '');
  return new Promise((resolve) => {
    const child = spawn('sh', ['-ec', script], { cwd, env: { PATH: process.env.PATH, HOME: cwd, KAYCI_RESULTS_FILE: resultsFile, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code, out, results: readFileSync(resultsFile, 'utf8') }));
  });
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_IDENTITY } }).trim();
}

const GIT_IDENTITY = { GIT_AUTHOR_NAME: 'kayci', GIT_AUTHOR_EMAIL: 'kayci@example.com', GIT_COMMITTER_NAME: 'kayci', GIT_COMMITTER_EMAIL: 'kayci@example.com', GIT_CONFIG_NOSYSTEM: '1' };

/** An origin repository with two commits and a submodule; file:// submodules allowed, as in a test only. */
function repositories() {
  const root = scratchDir('kayci-checkout-');
  const globalConfig = path.join(root, 'gitconfig');
  writeFileSync(globalConfig, '[protocol "file"]\n\tallow = always\n[init]\n\tdefaultBranch = main\n');
  const env = { GIT_CONFIG_GLOBAL: globalConfig };
  const gitIn = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_IDENTITY, ...env } }).trim();
  const lib = path.join(root, 'lib');
  mkdirSync(lib);
  gitIn(lib, 'init', '-q');
  writeFileSync(path.join(lib, 'lib.txt'), 'library\n');
  gitIn(lib, 'add', '.');
  gitIn(lib, 'commit', '-q', '-m', 'lib');
  const origin = path.join(root, 'origin');
  mkdirSync(origin);
  gitIn(origin, 'init', '-q');
  writeFileSync(path.join(origin, 'README'), 'first\n');
  gitIn(origin, 'submodule', 'add', '-q', `file://${lib}`, 'vendor/lib');
  gitIn(origin, 'add', '.');
  gitIn(origin, 'commit', '-q', '-m', 'first');
  const first = gitIn(origin, 'rev-parse', 'HEAD');
  writeFileSync(path.join(origin, 'README'), 'second\n');
  gitIn(origin, 'commit', '-q', '-am', 'second');
  const second = gitIn(origin, 'rev-parse', 'HEAD');
  return { root, url: `file://${origin}`, first, second, env };
}

function checkoutScript(props: ConstructorParameters<typeof Checkout>[2] = {}): string {
  const p = newPipeline();
  new Checkout(p, 'checkout', props);
  return scriptOf(p, 'checkout');
}

describe('Checkout in the cluster', () => {
  it('fetches just the commit the trigger named (not the branch head), detached, with submodules; a retry works', async () => {
    const repo = repositories();
    const script = checkoutScript({ submodules: true });
    const workspace = path.join(repo.root, 'workspace');
    mkdirSync(workspace);
    // A fresh volume often holds lost+found: a clone into "." would refuse it, fetching does not.
    mkdirSync(path.join(workspace, 'lost+found'));
    const env = { ...repo.env, KAYCI_PROVIDER: 'github', KAYCI_REPO_URL: repo.url, KAYCI_COMMIT_SHA: repo.first };
    for (const attempt of [1, 2]) {
      const r = await runScript(script, workspace, env);
      expect(r.code, `attempt ${attempt}:\n${r.out}`).toBe(0);
      expect(r.results).toBe(`commit=${repo.first}\n`);
      expect(r.out).toContain(`checked out ${repo.first}`);
    }
    expect(git(workspace, 'rev-parse', 'HEAD')).toBe(repo.first);
    expect(git(workspace, 'rev-parse', '--is-shallow-repository')).toBe('true');
    expect(git(workspace, 'rev-list', '--count', 'HEAD')).toBe('1');
    expect(() => git(workspace, 'symbolic-ref', '-q', 'HEAD')).toThrow();
    expect(readFileSync(path.join(workspace, 'README'), 'utf8')).toBe('first\n');
    expect(readFileSync(path.join(workspace, 'vendor/lib/lib.txt'), 'utf8')).toBe('library\n');
    // Nothing the job configured through the environment stays in the repository.
    expect(readFileSync(path.join(workspace, '.git/config'), 'utf8')).not.toMatch(/safe|extraHeader|defaultBranch/);
  });

  it('fetches more history when asked', async () => {
    const repo = repositories();
    const workspace = scratchDir('kayci-ws-');
    const r = await runScript(checkoutScript({ depth: 5 }), workspace, { ...repo.env, KAYCI_PROVIDER: 'gitlab', KAYCI_REPO_URL: repo.url, KAYCI_COMMIT_SHA: repo.second });
    expect(r.code, r.out).toBe(0);
    expect(git(workspace, 'rev-list', '--count', 'HEAD')).toBe('2');
    // Submodules were not asked for.
    expect(git(workspace, 'submodule', 'status')).toMatch(/^-/);
  });

  it('fails clearly when the Run names no commit', async () => {
    const r = await runScript(checkoutScript(), scratchDir('kayci-ws-'), { KAYCI_PROVIDER: 'github', KAYCI_REPO_URL: 'https://example.com/x.git' });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('the Run names no commit (KAYCI_COMMIT_SHA)');
  });

  it('sends the token as basic auth to the repository host, and never stores it', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const workspace = scratchDir('kayci-ws-');
      const script = checkoutScript({ token: Secret.fromName('git').key('token') });
      const r = await runScript(script, workspace, {
        KAYCI_PROVIDER: 'github',
        KAYCI_REPO_URL: `http://127.0.0.1:${port}/acme/app.git`,
        KAYCI_COMMIT_SHA: 'a'.repeat(40),
        GIT_TOKEN: 's3cret-token',
        GIT_TOKEN_USER: 'x-access-token',
      });
      expect(r.code).not.toBe(0);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen[0]!.authorization).toBe(`Basic ${Buffer.from('x-access-token:s3cret-token').toString('base64')}`);
      expect(readFileSync(path.join(workspace, '.git/config'), 'utf8')).not.toContain('s3cret');
      expect(r.out).not.toContain('s3cret');
    } finally {
      server.close();
    }
  });
});

describe('Checkout in a local run', () => {
  it('uses the working tree as it is and reports its commit', async () => {
    const repo = repositories();
    const workspace = path.join(repo.root, 'origin');
    writeFileSync(path.join(workspace, 'README'), 'edited, not committed\n');
    const r = await runScript(checkoutScript({ submodules: true }), workspace, { KAYCI_PROVIDER: 'local' });
    expect(r.code, r.out).toBe(0);
    expect(r.results).toBe(`commit=${repo.second}\n`);
    expect(r.out).toBe(`local run: using the working tree in ${workspace} as it is, at ${repo.second} (uncommitted changes included)\n`);
    expect(readFileSync(path.join(workspace, 'README'), 'utf8')).toBe('edited, not committed\n');
  });

  it('fails outside a git checkout, saying so', async () => {
    const workspace = scratchDir('kayci-ws-');
    const r = await runScript(checkoutScript(), workspace, { KAYCI_PROVIDER: 'local', GIT_CEILING_DIRECTORIES: path.dirname(workspace) });
    expect(r.code).toBe(1);
    expect(r.out).toBe(`kayci: ${workspace} is not a git checkout with a commit; a local run uses the working tree as it is\n`);
  });
});

describe('registry credentials and digests', () => {
  const DIGEST = `sha256:${'ef'.repeat(32)}`;

  /** The script up to its first `crane`/`cosign` call, with a line that prints the Docker config instead. */
  function prologue(script: string, tool: string): string {
    const call = script.indexOf(`${tool} `, script.indexOf('config.json'));
    return `${script.slice(0, script.lastIndexOf('\n', call) + 1)}cat "$DOCKER_CONFIG/config.json"; echo "dir=$DOCKER_CONFIG"`;
  }

  it('writes a Docker config for a user and password, readable by the job only, removed at exit', async () => {
    const p = newPipeline();
    new Push(p, 'push', { source: 'x.tar', registry: 'registry.example.com:5000', repository: 'a/b', credentials: { username: 'robot', password: Secret.fromName('reg').key('password') } });
    const script = prologue(scriptOf(p, 'push'), 'crane');
    const workspace = scratchDir('kayci-ws-');
    writeFileSync(path.join(workspace, 'x.tar'), '');
    const r = await runScript(script, workspace, { REGISTRY: 'registry.example.com:5000', IMAGE_TARBALL: 'x.tar', REGISTRY_USERNAME: 'robot', REGISTRY_PASSWORD: 'pa:ss' });
    expect(r.code, r.out).toBe(0);
    const [config, dirLine] = r.out.trim().split('\n');
    expect(JSON.parse(config!)).toEqual({ auths: { 'registry.example.com:5000': { auth: Buffer.from('robot:pa:ss').toString('base64') } } });
    expect(() => readFileSync(path.join(dirLine!.slice('dir='.length), 'config.json'))).toThrow(/ENOENT/);
  });

  /** Runs the prepare step of `job` with DOCKER_CONFIG in a fresh directory (the emptyDir); returns the config written and its mode. */
  async function prepared(p: ReturnType<typeof newPipeline>, job: string, env: Record<string, string>): Promise<{ config: string; mode: number }> {
    const dockerConfig = path.join(scratchDir('kayci-emptydir-'), 'docker-config');
    const r = await runScript(scriptOf(p, job, 'prepare'), scratchDir('kayci-ws-'), { DOCKER_CONFIG: dockerConfig, ...env });
    expect(r.code, r.out).toBe(0);
    const file = path.join(dockerConfig, 'config.json');
    return { config: readFileSync(file, 'utf8'), mode: statSync(file).mode & 0o777 };
  }

  it('a prepare step leaves the Docker config in the emptyDir for the tool: Docker Hub under its v1 URL, a Docker config as it is', async () => {
    const p = newPipeline();
    new Sign(p, 'hub', { target: `docker.io/acme/x@${DIGEST}`, key: Secret.fromName('c').key('k'), credentials: { username: 'u', password: Secret.fromName('hub').key('token') } });
    new Sign(p, 'cfg', { target: `ghcr.io/acme/x@${DIGEST}`, key: Secret.fromName('c').key('k'), credentials: { dockerConfig: Secret.fromName('regcred').key('.dockerconfigjson') } });
    new Sbom(p, 'sbom', { target: `registry.example.com:5000/a/b@${DIGEST}`, credentials: { username: 'robot', password: Secret.fromName('reg').key('password') } });
    const hub = await prepared(p, 'hub', { IMAGE_REF: `docker.io/acme/x@${DIGEST}`, REGISTRY_USERNAME: 'u', REGISTRY_PASSWORD: 't', KAYCI_PROVIDER: 'github' });
    expect(JSON.parse(hub.config)).toEqual({ auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('u:t').toString('base64') } } });
    // In the pod the tool's step may run as another user (cosign's image is nonroot); the emptyDir is the pod's own.
    expect(hub.mode).toBe(0o644);
    const dockerConfig = '{"auths":{"ghcr.io":{"auth":"eDp5"}}}';
    const cfg = await prepared(p, 'cfg', { IMAGE_REF: `ghcr.io/acme/x@${DIGEST}`, REGISTRY_DOCKER_CONFIG: dockerConfig, KAYCI_PROVIDER: 'local' });
    expect(cfg.config).toBe(`${dockerConfig}\n`);
    // Locally every step runs as this user, and the directory outlives the job.
    expect(cfg.mode).toBe(0o600);
    const sbom = await prepared(p, 'sbom', { IMAGE_REF: `registry.example.com:5000/a/b@${DIGEST}`, REGISTRY_USERNAME: 'robot', REGISTRY_PASSWORD: 'pa:ss', KAYCI_PROVIDER: 'local' });
    expect(JSON.parse(sbom.config)).toEqual({ auths: { 'registry.example.com:5000': { auth: Buffer.from('robot:pa:ss').toString('base64') } } });
  });

  it('refuses at run time an image reference that is not by digest (e.g. from a parameter)', async () => {
    const p = newPipeline();
    const image = new Param(p, 'image');
    new Sign(p, 'sign', { target: String(image), key: Secret.fromName('c').key('k') });
    new Scan(p, 'scan', { target: String(image) });
    for (const job of ['sign', 'scan']) {
      const r = await runScript(scriptOf(p, job, 'prepare'), scratchDir('kayci-ws-'), { IMAGE_REF: 'ghcr.io/acme/x:latest' });
      expect(r.code).toBe(1);
      expect(r.out).toBe('kayci: IMAGE_REF=ghcr.io/acme/x:latest is not an image reference by digest (name@sha256:<64 hex digits>)\n');
    }
  });
});

describe('prepare and results steps around the tools', () => {
  const DIGEST = `sha256:${'0f'.repeat(32)}`;

  itCosign('Sign names the signature and the attestation as `cosign triangulate` does', async () => {
    const p = newPipeline();
    new Sign(p, 'sign', { target: `ghcr.io/acme/x@${DIGEST}`, key: Secret.fromName('c').key('k'), attest: 'sbom.spdx.json' });
    const script = scriptOf(p, 'sign', 'results');
    const cases: [string, Record<string, string>][] = [
      [`ghcr.io/acme/x@${DIGEST}`, {}],
      [`ghcr.io/acme/x:v1.2.0@${DIGEST}`, {}],
      [`127.0.0.1:5000/acme/server@${DIGEST}`, {}],
      [`localhost:5000/a/b:t@${DIGEST}`, {}],
      [`ubuntu@${DIGEST}`, {}],
      [`docker.io/acme/x@${DIGEST}`, {}],
      [`index.docker.io/ubuntu:24.04@${DIGEST}`, {}],
      [`localhost/acme@${DIGEST}`, {}],
      [`ghcr.io/acme/x@${DIGEST}`, { COSIGN_REPOSITORY: 'ghcr.io/acme/signatures' }],
      [`ghcr.io/acme/x@${DIGEST}`, { COSIGN_REPOSITORY: 'signatures' }],
    ];
    for (const [ref, env] of cases) {
      const triangulate = (type: string) => execFileSync('cosign', ['triangulate', '--type', type, ref], { encoding: 'utf8', env: { ...process.env, ...env } }).trim();
      const r = await runScript(script, scratchDir('kayci-ws-'), { IMAGE_REF: ref, SBOM_SPDX: 'sbom.spdx.json', ...env });
      expect(r.code, r.out).toBe(0);
      expect(r.results, `${ref} ${JSON.stringify(env)}`).toBe(`signature=${triangulate('signature')}\nattestation=${triangulate('attestation')}\n`);
    }
  });

  it('Scan writes the report result before the verdict, and fails early without its input', async () => {
    const p = newPipeline();
    const sbom = new Sbom(p, 'sbom', { target: `ghcr.io/acme/x@${DIGEST}` });
    new Scan(p, 'scan', { target: sbom });
    const workspace = scratchDir('kayci-ws-');
    mkdirSync(path.join(workspace, '.kayci/out/scan'), { recursive: true });
    writeFileSync(path.join(workspace, '.kayci/out/scan/stale.json'), '{}');
    writeFileSync(path.join(workspace, 'sbom.json'), '{}');
    const r = await runScript(scriptOf(p, 'scan', 'prepare'), workspace, { SBOM_SPDX: 'sbom.json' });
    expect(r.code, r.out).toBe(0);
    expect(r.results).toBe('report=.kayci/out/scan/report.json\n');
    expect(readdirSync(path.join(workspace, '.kayci/out/scan'))).toEqual([]);
    const missing = await runScript(scriptOf(p, 'scan', 'prepare'), workspace, { SBOM_SPDX: 'nowhere.json' });
    expect(missing.code).toBe(1);
    expect(missing.out).toBe(`kayci: the SBOM nowhere.json does not exist in ${workspace}\n`);
    // The scanner wrote nothing: the results step says so.
    const results = await runScript(scriptOf(p, 'scan', 'results'), workspace, {});
    expect(results.code).toBe(1);
    expect(results.out).toBe('kayci: the scanner wrote no .kayci/out/scan/report.json\n');
  });

  it('Sbom fails when syft wrote no file, and reports both files when it did', async () => {
    const p = newPipeline();
    new Sbom(p, 'sbom', { target: `ghcr.io/acme/x@${DIGEST}` });
    const workspace = scratchDir('kayci-ws-');
    const env = { IMAGE_REF: `ghcr.io/acme/x@${DIGEST}` };
    expect((await runScript(scriptOf(p, 'sbom', 'prepare'), workspace, env)).code).toBe(0);
    const none = await runScript(scriptOf(p, 'sbom', 'results'), workspace, env);
    expect([none.code, none.out, none.results]).toEqual([1, 'kayci: syft wrote no .kayci/out/sbom/sbom.spdx.json\n', '']);
    for (const f of ['sbom.spdx.json', 'sbom.cdx.json']) writeFileSync(path.join(workspace, '.kayci/out/sbom', f), '{}');
    const both = await runScript(scriptOf(p, 'sbom', 'results'), workspace, env);
    expect(both.code, both.out).toBe(0);
    expect(both.results).toBe('spdx=.kayci/out/sbom/sbom.spdx.json\ncyclonedx=.kayci/out/sbom/sbom.cdx.json\n');
  });
});
