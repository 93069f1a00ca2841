// The supply chain end to end with the real tools, through `kayci run` (main(), in-process): a
// registry on loopback (crane registry serve), a static Go binary → GoImage (crane, empty base)
// → Push → Sbom (SPDX and CycloneDX, validated against the official JSON schemas) → Sign and
// attest with a key pair made here; then cosign verify accepts the signature and rejects a
// tampered digest, a moved tag and a wrong key. Push, Sbom and Sign also log in to a registry
// that wants a password (a proxy in front of it), syft and cosign reading the Docker config that
// their prepare steps leave in the job's emptyDir. Also ko (GoImage from a main package) and
// CImage (a real CMake install tree). No internet: signatures skip the transparency log
// (--tlog-upload=false), and verification ignores it (--insecure-ignore-tlog=true).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { copyExample } from '../../e2e/kayci.ts';
import { captureIo, scratchDir } from '../../helpers/project.ts';
import { itWithTools, missingTools } from '../../helpers/tools.ts';
import { cyclonedxValidator, spdxValidator } from './schemas.ts';

const TOOLS = ['crane', 'cosign', 'syft', 'go', 'git'];
const it = itWithTools(TOOLS);
const itKo = itWithTools([...TOOLS, 'ko']);
const itCmake = itWithTools([...TOOLS, 'cmake']);

interface Exec {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tool; never throws on a non-zero exit. */
function run(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Exec> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 64 << 20, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

async function ok(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const r = await run(file, args, options);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

let registryProcess: ChildProcess | undefined;
let registry = '';
const keys = scratchDir('kayci-cosign-');
// cosign looks for the Sigstore TUF root when it verifies; keep its cache out of $HOME.
const COSIGN_ENV = { TUF_ROOT: path.join(keys, 'tuf'), COSIGN_PASSWORD: 'e2e-password' };

beforeAll(async () => {
  if (missingTools(TOOLS).length > 0) return;
  const child = spawn('crane', ['registry', 'serve', '--address', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  registryProcess = child;
  registry = await new Promise<string>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`crane registry serve did not start:\n${log}`)), 10_000);
    child.stderr!.on('data', (c: Buffer) => {
      log += c.toString();
      const m = /serving on port (\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(`127.0.0.1:${m[1]}`);
      }
    });
    child.once('exit', (code) => reject(new Error(`crane registry serve exited ${code}:\n${log}`)));
  });
  // Two key pairs: the one that signs, and another that must not verify.
  for (const dir of ['signer', 'other']) {
    mkdirSync(path.join(keys, dir));
    await ok('cosign', ['generate-key-pair'], { cwd: path.join(keys, dir), env: COSIGN_ENV });
  }
});

afterAll(() => {
  registryProcess?.kill();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Runs the project's kayci.ts with `kayci run`; returns the jobs' results. */
async function kayciRun(dir: string, env: Record<string, string> = {}): Promise<Record<string, Record<string, string>>> {
  const { code, out, results } = await kayciRunAny(dir, env);
  expect(code, out).toBe(0);
  return results;
}

async function kayciRunAny(dir: string, env: Record<string, string> = {}): Promise<{ code: number; out: string; results: Record<string, Record<string, string>> }> {
  for (const [k, v] of Object.entries({ GOTOOLCHAIN: 'local', GOFLAGS: '', ...env })) vi.stubEnv(k, v);
  const io = captureIo(dir);
  const code = await main(['run'], io);
  expect(io.stderr).toBe('');
  const runs = readdirSync(path.join(dir, '.kayci', 'runs'));
  expect(runs).toHaveLength(1);
  const status = JSON.parse(readFileSync(path.join(dir, '.kayci', 'runs', runs[0]!, 'status.json'), 'utf8')) as { jobs: { name: string; results?: Record<string, string> }[] };
  return { code, out: io.stdout, results: Object.fromEntries(status.jobs.map((j) => [j.name, j.results ?? {}])) };
}

/** A kayci.ts that imports the recipes from this repository (the project sits in test/.tmp). */
function pipelineFile(imports: string, body: string): string {
  return [
    "import { App, Job, Pipeline, Secret } from 'kayci';",
    `import { ${imports} } from '../../../recipes/supply-chain/index.ts';`,
    'const app = new App();',
    "const p = new Pipeline(app, 'supply-chain', { workspace: { size: '1Gi' } });",
    'void Job; void Secret;',
    body,
    'app.synth();',
    '',
  ].join('\n');
}

const verifyArgs = (key: string, ref: string) => ['verify', '--key', key, '--insecure-ignore-tlog=true', '--allow-insecure-registry', ref];

describe('supply chain: build, push, SBOM, sign, verify', () => {
  it('signs what it pushed, by digest; verification rejects other content and other keys', async () => {
    const dir = copyExample('go-service');
    writeFileSync(path.join(dir, 'kayci.ts'), pipelineFile('Checkout, GoImage, Push, Sbom, Sign', `
const checkout = new Checkout(p, 'checkout');
const build = new Job(p, 'build', {
  image: 'golang:1.25', needs: [checkout], env: { CGO_ENABLED: '0' },
  run: 'go build -trimpath -ldflags "-s -w -X main.version=signed" -o bin/server ./cmd/server',
});
const image = new GoImage(p, 'image', { binary: 'bin/server', emptyBase: true, needs: [build] });
const push = new Push(p, 'push', { source: image, registry: '${registry}', repository: 'acme/server', tag: 'e2e', insecure: true });
const sbom = new Sbom(p, 'sbom', { target: push, insecure: true });
new Sign(p, 'sign', {
  target: push,
  key: Secret.fromName('cosign').key('cosign.key'),
  password: Secret.fromName('cosign').key('password'),
  attest: sbom,
  tlogUpload: false,
  insecure: true,
});`));
    const results = await kayciRun(dir, {
      KAYCI_SECRET_COSIGN_COSIGN_KEY: readFileSync(path.join(keys, 'signer', 'cosign.key'), 'utf8'),
      KAYCI_SECRET_COSIGN_PASSWORD: COSIGN_ENV.COSIGN_PASSWORD,
    });

    // Locally the working tree is the checkout.
    expect(results.checkout!.commit).toBe((await ok('git', ['rev-parse', 'HEAD'], { cwd: dir })).trim());

    // One digest from build to registry; the ref handed on is by digest.
    const digest = results.image!.digest!;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(results.image!.tarball).toBe('.kayci/out/image/image.tar');
    expect(results.push).toEqual({ digest, ref: `${registry}/acme/server@${digest}` });
    const ref = results.push!.ref!;
    expect((await ok('crane', ['digest', `${registry}/acme/server:e2e`])).trim()).toBe(digest);
    expect((await ok('crane', ['digest', '--tarball', path.join(dir, results.image!.tarball!)])).trim()).toBe(digest);

    // The image runs the binary that was built: same bytes, and the entrypoint names it.
    const config = JSON.parse(await ok('crane', ['config', ref])) as { config: { Entrypoint: string[] }; os: string; architecture: string };
    expect(config.config.Entrypoint).toEqual(['/app/server']);
    expect([config.os, config.architecture]).toEqual(['linux', 'amd64']);
    const layer = await extract(ref, 'app/server');
    expect(sha256(layer)).toBe(sha256(readFileSync(path.join(dir, 'bin/server'))));

    // SBOMs: valid against the official schemas, describing the Go module in the binary.
    expect(results.sbom).toEqual({ spdx: '.kayci/out/sbom/sbom.spdx.json', cyclonedx: '.kayci/out/sbom/sbom.cdx.json' });
    const spdx = JSON.parse(readFileSync(path.join(dir, results.sbom!.spdx!), 'utf8')) as { spdxVersion: string; packages: { name: string }[] };
    const cdx = JSON.parse(readFileSync(path.join(dir, results.sbom!.cyclonedx!), 'utf8')) as { specVersion: string; components: { name: string }[] };
    const validSpdx = spdxValidator();
    expect(validSpdx(spdx), JSON.stringify(validSpdx.errors)).toBe(true);
    const validCdx = cyclonedxValidator();
    expect(validCdx(cdx), JSON.stringify(validCdx.errors)).toBe(true);
    // The validators do reject what the schemas forbid.
    expect(validSpdx({ ...spdx, spdxVersion: undefined })).toBe(false);
    expect(validCdx({ ...cdx, bomFormat: 'SPDX' })).toBe(false);
    expect(spdx.spdxVersion).toBe('SPDX-2.3');
    expect(cdx.specVersion).toBe('1.6');
    expect(spdx.packages.map((x) => x.name)).toContain('example.com/go-service');
    expect(cdx.components.map((x) => x.name)).toContain('example.com/go-service');

    // The signature and the attestation sit next to the image, named after its digest.
    const hex = digest.slice('sha256:'.length);
    expect(results.sign).toEqual({ signature: `${registry}/acme/server:sha256-${hex}.sig`, attestation: `${registry}/acme/server:sha256-${hex}.att` });

    const pub = path.join(keys, 'signer', 'cosign.pub');
    const verified = await run('cosign', verifyArgs(pub, ref), { env: COSIGN_ENV });
    expect(verified.code, verified.stderr).toBe(0);
    const claims = JSON.parse(verified.stdout) as { critical: { image: { 'docker-manifest-digest': string }; identity: { 'docker-reference': string } } }[];
    expect(claims.map((c) => c.critical.image['docker-manifest-digest'])).toEqual([digest]);
    expect(claims[0]!.critical.identity['docker-reference']).toBe(`${registry}/acme/server`);

    const attested = await run('cosign', ['verify-attestation', '--key', pub, '--type', 'spdxjson', '--insecure-ignore-tlog=true', '--allow-insecure-registry', ref], { env: COSIGN_ENV });
    expect(attested.code, attested.stderr).toBe(0);
    const envelope = JSON.parse(attested.stdout.trim().split('\n')[0]!) as { payload: string };
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as { predicateType: string; subject: { digest: { sha256: string } }[]; predicate: { spdxVersion: string } };
    expect(statement.predicateType).toBe('https://spdx.dev/Document');
    expect(statement.subject[0]!.digest.sha256).toBe(hex);
    expect(statement.predicate.spdxVersion).toBe('SPDX-2.3');

    // Other content under the same repository, and the tag moved to it: neither verifies.
    const tamperedLayer = path.join(scratchDir('kayci-tamper-'), 'layer.tar');
    mkdirSync(path.join(path.dirname(tamperedLayer), 'app'));
    writeFileSync(path.join(path.dirname(tamperedLayer), 'app', 'server'), '#!/bin/sh\necho not what was signed\n', { mode: 0o755 });
    await ok('tar', ['-C', path.dirname(tamperedLayer), '-cf', tamperedLayer, 'app']);
    const tampered = (await ok('crane', ['append', '--oci-empty-base', '-f', tamperedLayer, '-t', `${registry}/acme/server:e2e`])).trim();
    expect(tampered).toMatch(new RegExp(`^${registry.replace(/\./g, '\\.')}/acme/server@sha256:[0-9a-f]{64}$`));
    expect(tampered).not.toBe(ref);
    for (const other of [tampered, `${registry}/acme/server:e2e`]) {
      const r = await run('cosign', verifyArgs(pub, other), { env: COSIGN_ENV });
      expect(r.code, `${other} must not verify:\n${r.stdout}${r.stderr}`).not.toBe(0);
      expect(r.stderr).toMatch(/no signatures found|no matching signatures/);
    }
    // A digest that names nothing at all.
    const nowhere = await run('cosign', verifyArgs(pub, `${registry}/acme/server@sha256:${'0'.repeat(64)}`), { env: COSIGN_ENV });
    expect(nowhere.code).not.toBe(0);

    // The signed digest still verifies: the tag moved, the digest did not.
    expect((await run('cosign', verifyArgs(pub, ref), { env: COSIGN_ENV })).code).toBe(0);

    // Another key does not verify the signature.
    const wrongKey = await run('cosign', verifyArgs(path.join(keys, 'other', 'cosign.pub'), ref), { env: COSIGN_ENV });
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.stderr).toMatch(/no matching signatures|invalid signature/);
  });

  itKo('GoImage with ko: builds the main package onto a base, and Push checks the digest', async () => {
    // A base image in the local registry stands in for the distroless one.
    const baseDir = scratchDir('kayci-base-');
    mkdirSync(path.join(baseDir, 'etc'));
    writeFileSync(path.join(baseDir, 'etc', 'base-release'), 'kayci e2e base\n');
    await ok('tar', ['-C', baseDir, '-cf', path.join(baseDir, 'base.tar'), 'etc']);
    const base = (await ok('crane', ['append', '--oci-empty-base', '--platform', 'linux/amd64', '-f', path.join(baseDir, 'base.tar'), '-t', `${registry}/base:1`])).trim();

    const dir = copyExample('go-service');
    writeFileSync(path.join(dir, 'kayci.ts'), pipelineFile('GoImage, Push', `
const image = new GoImage(p, 'image', { importPath: './cmd/server', base: '${base}', user: '65532' });
new Push(p, 'push', { source: image, registry: '${registry}', repository: 'acme/server-ko', insecure: true });`));
    const results = await kayciRun(dir);
    const digest = results.image!.digest!;
    expect(results.push).toEqual({ digest, ref: `${registry}/acme/server-ko@${digest}` });
    // Without a tag, the commit names it.
    const commit = (await ok('git', ['rev-parse', 'HEAD'], { cwd: dir })).trim();
    expect((await ok('crane', ['digest', `${registry}/acme/server-ko:${commit}`])).trim()).toBe(digest);
    const config = JSON.parse(await ok('crane', ['config', results.push!.ref!])) as { config: { Entrypoint: string[]; User: string } };
    expect(config.config.Entrypoint).toEqual(['/ko-app/server']);
    expect(config.config.User).toBe('65532');
    expect((await extract(results.push!.ref!, 'etc/base-release')).toString()).toBe('kayci e2e base\n');
  });

  itCmake('CImage: a CMake install tree onto a base, and an SBOM made from the tarball', async () => {
    const dir = copyExample('c-library');
    writeFileSync(path.join(dir, 'kayci.ts'), pipelineFile('CImage, Push, Sbom', `
const install = new Job(p, 'install', {
  image: 'gcc:14',
  run: 'cmake -S . -B build/cmake -DSEMVER_BUILD_TESTS=OFF >/dev/null\\ncmake --build build/cmake >/dev/null\\ncmake --install build/cmake --prefix build/install',
});
const image = new CImage(p, 'image', { prefix: 'build/install', emptyBase: true, needs: [install] });
new Push(p, 'push', { source: image, registry: '${registry}', repository: 'acme/libsemver', tag: '1.0.0', insecure: true });
new Sbom(p, 'sbom', { target: image });`));
    const results = await kayciRun(dir);
    const ref = results.push!.ref!;
    expect(ref).toBe(`${registry}/acme/libsemver@${results.image!.digest}`);
    const files = (await ok('sh', ['-c', `crane export ${ref} - | tar -t`])).split('\n');
    expect(files).toEqual(expect.arrayContaining(['usr/local/lib/libsemver.a', 'usr/local/include/semver.h', 'usr/local/lib/cmake/semver/semverConfig.cmake']));
    const config = JSON.parse(await ok('crane', ['config', ref])) as { config: { Env?: string[]; Entrypoint?: string[] } };
    expect(config.config.Env).toContain('LD_LIBRARY_PATH=/usr/local/lib');
    expect(config.config.Entrypoint).toBeUndefined();
    const spdx = JSON.parse(readFileSync(path.join(dir, results.sbom!.spdx!), 'utf8')) as unknown;
    const valid = spdxValidator();
    expect(valid(spdx), JSON.stringify(valid.errors)).toBe(true);
    expect(existsSync(path.join(dir, results.sbom!.cyclonedx!))).toBe(true);
  });
});

describe('supply chain: a registry that wants a password', () => {
  it('Push, Sbom and Sign log in with it: prepare steps hand the Docker config to syft and cosign through the emptyDir', async () => {
    const proxy = await authProxy(registry, 'robot', 'registry-pa:ss');
    try {
      const dir = copyExample('c-library');
      writeFileSync(path.join(dir, 'kayci.ts'), pipelineFile('CImage, Push, Sbom, Sign', `
const stage = new Job(p, 'stage', { image: 'busybox', run: 'mkdir -p stage/bin\\nprintf "#!/bin/sh\\\\necho hi\\\\n" > stage/bin/hello\\nchmod +x stage/bin/hello' });
const image = new CImage(p, 'image', { prefix: 'stage', emptyBase: true, entrypoint: '/usr/local/bin/hello', needs: [stage] });
const credentials = { username: 'robot', password: Secret.fromName('registry').key('password') };
const push = new Push(p, 'push', { source: image, registry: '${proxy.address}', repository: 'acme/private', tag: 'e2e', insecure: true, credentials });
const sbom = new Sbom(p, 'sbom', { target: push, insecure: true, credentials });
new Sign(p, 'sign', { target: push, key: Secret.fromName('cosign').key('cosign.key'), password: Secret.fromName('cosign').key('password'), attest: sbom, tlogUpload: false, insecure: true, credentials });`));
      const results = await kayciRun(dir, {
        KAYCI_SECRET_REGISTRY_PASSWORD: 'registry-pa:ss',
        KAYCI_SECRET_COSIGN_COSIGN_KEY: readFileSync(path.join(keys, 'signer', 'cosign.key'), 'utf8'),
        KAYCI_SECRET_COSIGN_PASSWORD: COSIGN_ENV.COSIGN_PASSWORD,
      });
      const digest = results.image!.digest!;
      const hex = digest.slice('sha256:'.length);
      expect(results.push!.ref).toBe(`${proxy.address}/acme/private@${digest}`);
      expect(results.sign).toEqual({ signature: `${proxy.address}/acme/private:sha256-${hex}.sig`, attestation: `${proxy.address}/acme/private:sha256-${hex}.att` });
      const spdx = JSON.parse(readFileSync(path.join(dir, results.sbom!.spdx!), 'utf8')) as unknown;
      const valid = spdxValidator();
      expect(valid(spdx), JSON.stringify(valid.errors)).toBe(true);
      // Every tool was turned away without the password, and let in with it.
      expect(proxy.denied).toEqual(new Set(['crane', 'syft', 'cosign']));
      expect(proxy.allowed).toEqual(new Set(['crane', 'syft', 'cosign']));
      // Behind the proxy: the signature and the attestation verify.
      const pub = path.join(keys, 'signer', 'cosign.pub');
      const verified = await run('cosign', verifyArgs(pub, `${registry}/acme/private@${digest}`), { env: COSIGN_ENV });
      expect(verified.code, verified.stderr).toBe(0);
      // No Docker config is left in the run's emptyDirs: the results steps remove it, and the local
      // runner removes an emptyDir when its job ends, as a pod's goes with the pod.
      const runName = readdirSync(path.join(dir, '.kayci', 'runs'))[0]!;
      for (const job of ['sbom', 'sign']) {
        const emptyDir = path.join(dir, '.kayci', 'runs', runName, 'volumes', job, 'kayci-docker-config');
        expect(existsSync(emptyDir) ? readdirSync(emptyDir) : [], emptyDir).toEqual([]);
      }

      // Without the credentials, syft is turned away.
      const anonymous = copyExample('c-library');
      writeFileSync(path.join(anonymous, 'kayci.ts'), pipelineFile('Sbom', `new Sbom(p, 'sbom', { target: '${results.push!.ref}', insecure: true });`));
      const { code, out } = await kayciRunAny(anonymous);
      expect(code, out).toBe(1);
      expect(out).toContain('UNAUTHORIZED: authentication required');
      expect(out).toMatch(/^sbom +│ step syft exited with code 1$/m);
    } finally {
      proxy.server.close();
    }
  });
});

describe('supply chain: what Push refuses', () => {
  it('an image tarball changed after the build: the registry reports another digest than the build made', async () => {
    const dir = copyExample('c-library');
    writeFileSync(path.join(dir, 'kayci.ts'), pipelineFile('CImage, Push', `
const stage = new Job(p, 'stage', { image: 'busybox', run: 'mkdir -p stage/bin\\nprintf "#!/bin/sh\\\\necho hi\\\\n" > stage/bin/hello\\nchmod +x stage/bin/hello' });
const image = new CImage(p, 'image', { prefix: 'stage', emptyBase: true, entrypoint: '/usr/local/bin/hello', needs: [stage] });
// Something replaces the tarball between the build and the push.
const tamper = new Job(p, 'tamper', {
  image: 'crane', needs: [image],
  run: 'printf x > other\\ntar -cf other.tar other\\ncrane append --oci-empty-base -f other.tar -t kayci.local/other -o .kayci/out/image/image.tar 2>/dev/null',
});
new Push(p, 'push', { source: image, registry: '${registry}', repository: 'acme/tampered', needs: [tamper], insecure: true });`));
    const { code, out, results } = await kayciRunAny(dir);
    expect(code, out).toBe(1);
    expect(out).toMatch(new RegExp(`push +│ kayci: the registry reports sha256:[0-9a-f]{64} for ${registry.replace(/\./g, '\\.')}/acme/tampered:[0-9a-f]{40}, but the image built is ${results.image!.digest}`));
    expect(out).toMatch(/^push +Failed /m);
  });
});

/** One file of an image in a registry, from its flattened filesystem. */
async function extract(ref: string, file: string): Promise<Buffer> {
  const dir = scratchDir('kayci-export-');
  await ok('sh', ['-c', `crane export "$0" - | tar -x -C "$1" "$2"`, ref, dir, file]);
  return readFileSync(path.join(dir, file));
}

/**
 * A registry that wants a user name and password: a proxy on loopback in front of `upstream`
 * that answers 401 (with a Basic challenge) to requests without them. Records which tools
 * (by User-Agent) it turned away and let in.
 */
async function authProxy(upstream: string, user: string, password: string) {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const denied = new Set<string>();
  const allowed = new Set<string>();
  const tool = (agent: string | undefined) => /\b(crane|syft|cosign)\b/.exec(agent ?? '')?.[1] ?? String(agent);
  const url = new URL(`http://${upstream}`);
  const server = createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      denied.add(tool(req.headers['user-agent']));
      req.resume();
      res.writeHead(401, { 'www-authenticate': 'Basic realm="kayci-e2e"', 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    allowed.add(tool(req.headers['user-agent']));
    const forward = httpRequest({ host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', (e) => res.destroy(e));
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}`, denied, allowed };
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
