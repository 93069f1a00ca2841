// What the supply-chain recipes render to: images, steps, commands and flags, env (Secrets by
// reference only, in the steps that read them), volumes, the tools annotation, typed results and
// the needs they imply, and every pipeline passing validatePipeline. Tools whose images have no
// shell (syft, cosign, grype) run as steps of their own, without `sh`. The scripts themselves run for real in scripts.test.ts
// and e2e.test.ts; grype and trivy only render here (their databases need the internet).
import { describe, expect, it } from 'vitest';
import { Cache, Job, Param, Secret } from '../../../constructs/index.ts';
import { IMAGES } from '../../../recipes/images.ts';
import { CImage, Checkout, GoImage, Push, Sbom, Scan, Sign, SUPPLY_CHAIN_TOOLS as TOOLS } from '../../../recipes/supply-chain/index.ts';
import { containersOf, envOf, jobOf, newPipeline, scriptOf, specOf, stepsOf, toolsOf } from './helpers.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const cosignKey = Secret.fromName('cosign').key('cosign.key');
const cosignPassword = Secret.fromName('cosign').key('cosign.password');
/** The emptyDir that carries registry credentials from a prepare step to a tool's step. */
const DOCKER_CONFIG_VOLUME = { name: 'kayci-docker-config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } };
const DOCKER_CONFIG_MOUNT = { name: 'kayci-docker-config', mountPath: '/kayci/docker-config' };

/** A whole chain: checkout → build → image → push → sbom → sign, scan; each recipe with its default id. */
function chain() {
  const p = newPipeline();
  const checkout = new Checkout(p);
  const build = new Job(p, 'build', { image: IMAGES.go, needs: [checkout], results: ['binary'], run: 'go build -o bin/server ./cmd/server\necho binary=bin/server >> "$KAYCI_RESULTS_FILE"' });
  const image = new GoImage(p, { binary: build.results.binary });
  const push = new Push(p, { source: image, registry: 'ghcr.io', repository: 'acme/server' });
  const sbom = new Sbom(p, { target: push });
  const sign = new Sign(p, { target: push, key: cosignKey, password: cosignPassword, attest: sbom });
  const scan = new Scan(p, { target: sbom });
  return { p, checkout, build, image, push, sbom, sign, scan };
}

describe('a whole supply chain', () => {
  it('renders, validates, and wires jobs together through typed results', () => {
    const { p } = chain();
    const spec = specOf(p);
    expect(spec.jobs.map((j) => [j.name, j.needs, j.results?.map((r) => r.name)])).toEqual([
      ['checkout', undefined, ['commit']],
      ['build', ['checkout'], ['binary']],
      ['image', ['build'], ['tarball', 'digest']],
      ['push', ['image'], ['digest', 'ref']],
      ['sbom', ['push'], ['spdx', 'cyclonedx']],
      ['sign', ['push', 'sbom'], ['signature', 'attestation']],
      ['scan', ['sbom'], ['report']],
    ]);
  });

  it('types results: each recipe has exactly the results it declares', () => {
    const { checkout, image, push, sbom, sign, scan } = chain();
    expect(String(checkout.results.commit)).toBe('$(KAYCI_RESULT_CHECKOUT_COMMIT)');
    expect(String(image.results.tarball)).toBe('$(KAYCI_RESULT_IMAGE_TARBALL)');
    expect(String(image.results.digest)).toBe('$(KAYCI_RESULT_IMAGE_DIGEST)');
    expect(String(push.results.ref)).toBe('$(KAYCI_RESULT_PUSH_REF)');
    expect(String(push.results.digest)).toBe('$(KAYCI_RESULT_PUSH_DIGEST)');
    expect(String(sbom.results.spdx)).toBe('$(KAYCI_RESULT_SBOM_SPDX)');
    expect(String(sbom.results.cyclonedx)).toBe('$(KAYCI_RESULT_SBOM_CYCLONEDX)');
    expect(String(sign.results.signature)).toBe('$(KAYCI_RESULT_SIGN_SIGNATURE)');
    expect(String(sign.results.attestation)).toBe('$(KAYCI_RESULT_SIGN_ATTESTATION)');
    expect(String(scan.results.report)).toBe('$(KAYCI_RESULT_SCAN_REPORT)');
    // @ts-expect-error a Push has no tarball result
    void push.results.tarball;
    // @ts-expect-error an image has no ref until it is pushed
    void image.results.ref;
    // @ts-expect-error Sign takes a pushed image (by digest), not a built one
    expect(() => new Sign(newPipeline(), 'sign', { target: image, key: cosignKey })).toThrow(/\[sc\/sign\] target: must be a Push job/);
  });

  it('declares the tools each job calls, with how to install them', () => {
    const { p } = chain();
    expect(toolsOf(p, 'checkout')).toEqual({ git: TOOLS.git });
    expect(toolsOf(p, 'image')).toEqual({ crane: TOOLS.crane });
    expect(toolsOf(p, 'push')).toEqual({ crane: TOOLS.crane });
    expect(toolsOf(p, 'sbom')).toEqual({ syft: TOOLS.syft });
    expect(toolsOf(p, 'sign')).toEqual({ cosign: TOOLS.cosign });
    expect(toolsOf(p, 'scan')).toEqual({ grype: TOOLS.grype });
    expect(TOOLS.cosign).toBe('go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.1');
  });

  it('runs each job in its IMAGES entry unless `image` says otherwise; helper steps run in crane', () => {
    const { p } = chain();
    const images = Object.fromEntries(specOf(p).jobs.map((j) => [j.name, containersOf(p, j.name).map((c) => `${c.name}: ${c.image}`)]));
    expect(images).toMatchObject({
      checkout: [`checkout: ${IMAGES.git}`],
      image: [`image: ${IMAGES.crane}`],
      push: [`push: ${IMAGES.crane}`],
      sbom: [`prepare: ${IMAGES.crane}`, `syft: ${IMAGES.syft}`, `results: ${IMAGES.crane}`],
      sign: [`prepare: ${IMAGES.crane}`, `sign: ${IMAGES.cosign}`, `attest: ${IMAGES.cosign}`, `results: ${IMAGES.crane}`],
      scan: [`prepare: ${IMAGES.crane}`, `grype: ${IMAGES.grype}`, `results: ${IMAGES.crane}`],
    });
    // `image` replaces the tool's image; the user's env reaches every step and wins over the recipe's.
    const q = newPipeline();
    new Sbom(q, 'sbom', { target: `ghcr.io/acme/x@${DIGEST}`, image: 'anchore/syft:debug', retries: 2, env: { SYFT_LOG: 'debug', SYFT_CHECK_FOR_APP_UPDATE: 'true' } });
    expect(jobOf(q, 'sbom').retries).toBe(2);
    const steps = containersOf(q, 'sbom');
    expect(steps.map((c) => c.image)).toEqual([IMAGES.crane, 'anchore/syft:debug', IMAGES.crane]);
    for (const c of steps) expect(envOf(c).SYFT_LOG).toBe('debug');
    expect(envOf(steps[1]!).SYFT_CHECK_FOR_APP_UPDATE).toBe('true');
    expect(steps[1]!.env!.filter((e) => e.name === 'SYFT_CHECK_FOR_APP_UPDATE')).toHaveLength(1);
  });
});

describe('Checkout', () => {
  it('clones the commit shallow and detached in the cluster, and uses the working tree locally', () => {
    const p = newPipeline();
    new Checkout(p, 'checkout');
    const script = scriptOf(p, 'checkout');
    expect(script).toMatch(/^if \[ "\$\{KAYCI_PROVIDER:-\}" = local \]; then\n/);
    expect(script).toContain('echo "commit=$commit" >> "$KAYCI_RESULTS_FILE"');
    expect(script).toContain('git fetch -q --no-tags --depth=1 origin "$KAYCI_COMMIT_SHA"');
    expect(script).toContain('git checkout -q -f --detach "$KAYCI_COMMIT_SHA"');
    expect(script).not.toContain('submodule');
    expect(script).not.toContain('extraHeader');
    expect(containersOf(p, 'checkout')[0]!.env).toBeUndefined();
  });

  it('adds submodules, depth and a token read from a Secret, sent to the repository host only', () => {
    const p = newPipeline();
    new Checkout(p, 'checkout', { submodules: true, depth: 20, token: Secret.fromName('gitlab').key('token'), tokenUser: 'oauth2' });
    const script = scriptOf(p, 'checkout');
    expect(script).toContain('git fetch -q --no-tags --depth=20 origin "$KAYCI_COMMIT_SHA"');
    expect(script).toContain('git submodule update -q --init --recursive --depth=20');
    expect(script).toContain('export GIT_CONFIG_KEY_3="http.$origin.extraHeader" GIT_CONFIG_VALUE_3="Authorization: Basic $basic"');
    expect(envOf(containersOf(p, 'checkout')[0]!)).toEqual({ GIT_TOKEN: 'secret:gitlab/token', GIT_TOKEN_USER: 'oauth2' });
  });
});

describe('GoImage', () => {
  it('lays a built binary onto the static base with crane, and reports the tarball and its digest', () => {
    const p = newPipeline();
    new GoImage(p, 'image', { binary: 'bin/server' });
    const [c] = containersOf(p, 'image');
    expect(envOf(c!)).toEqual({ BINARY: 'bin/server', BASE_IMAGE: IMAGES.staticBase, IMAGE_NAME: 'kayci.local/image:latest' });
    const script = scriptOf(p, 'image');
    expect(script).toContain('entrypoint="/app/${BINARY##*/}"');
    expect(script).toContain('crane registry serve --address 127.0.0.1:0');
    expect(script).toContain('crane append --platform linux/amd64 --base "$BASE_IMAGE" --new_layer "$out/layer.tar" --new_tag "$scratch"');
    expect(script).toContain('crane mutate "$scratch" --entrypoint "$entrypoint" --tag "$IMAGE_NAME" --output "$out/image.tar"');
    expect(script).toContain('digest=$(crane digest --tarball "$out/image.tar")');
    expect(script).toContain('echo "tarball=$out/image.tar" >> "$KAYCI_RESULTS_FILE"');
    expect(script).toContain('out=.kayci/out/image\n');
  });

  it('builds on an empty base, with the platform, entrypoint, user and name given', () => {
    const p = newPipeline();
    const version = new Param(p, 'version', { default: 'dev' });
    new GoImage(p, 'image', { binary: 'out/srv', emptyBase: true, platform: 'linux/arm64', entrypoint: '/usr/bin/srv', user: '65532:65532', imageName: `example.com/srv:${version}` });
    const [c] = containersOf(p, 'image');
    expect(envOf(c!)).toEqual({ BINARY: 'out/srv', IMAGE_NAME: 'example.com/srv:$(KAYCI_PARAM_VERSION)' });
    const script = scriptOf(p, 'image');
    expect(script).toContain('entrypoint=/usr/bin/srv\n');
    expect(script).toContain('-cf "$out/layer.tar" usr\n');
    expect(script).toContain('crane append --platform linux/arm64 --oci-empty-base --new_layer');
    expect(script).toContain('crane mutate "$scratch" --set-platform linux/arm64 --entrypoint "$entrypoint" --user 65532:65532 --tag "$IMAGE_NAME"');
  });

  it('builds a main package with ko, then reads the digest with crane in a second step', () => {
    const p = newPipeline();
    new GoImage(p, 'image', { importPath: './cmd/server', user: '65532' });
    const [ko, digest] = containersOf(p, 'image');
    expect([ko!.name, ko!.image, digest!.name, digest!.image]).toEqual(['ko', IMAGES.ko, 'digest', IMAGES.crane]);
    expect(envOf(ko!)).toEqual({ IMPORT_PATH: './cmd/server', KO_DEFAULTBASEIMAGE: IMAGES.staticBase, IMAGE_NAME: 'kayci.local/image:latest' });
    const koScript = scriptOf(p, 'image', 'ko');
    expect(koScript).toContain('command -v ko >/dev/null 2>&1 || set -- go run github.com/google/ko@v0.18.0');
    expect(koScript).toContain('"$@" build --bare --push=false --sbom=none --platform=linux/amd64 --tags="$tag" --image-user=65532 --tarball="$out/image.tar" "$IMPORT_PATH"');
    expect(scriptOf(p, 'image', 'digest')).toContain('digest=$(crane digest --tarball "$out/image.tar")');
    expect(toolsOf(p, 'image')).toEqual({ ko: TOOLS.ko, go: TOOLS.go, crane: TOOLS.crane });
  });
});

describe('CImage', () => {
  it('lays a CMake install tree under /usr/local onto the glibc base, with LD_LIBRARY_PATH', () => {
    const p = newPipeline();
    new CImage(p, 'image', { prefix: 'build/install', entrypoint: '/usr/local/bin/server' });
    const [c] = containersOf(p, 'image');
    expect(envOf(c!)).toEqual({ PREFIX: 'build/install', BASE_IMAGE: IMAGES.ccBase, IMAGE_NAME: 'kayci.local/image:latest' });
    const script = scriptOf(p, 'image');
    expect(script).toContain('cp -RP "$PREFIX/." "$layer"/usr/local/\n');
    expect(script).toContain('entrypoint=/usr/local/bin/server\n');
    expect(script).toContain('--entrypoint "$entrypoint" --env LD_LIBRARY_PATH=/usr/local/lib --tag "$IMAGE_NAME"');
  });

  it('takes the install tree from the job that filled it', () => {
    const p = newPipeline();
    const install = new Job(p, 'install', { image: IMAGES.cToolchain, results: ['prefix'], run: 'cmake --install build --prefix build/install\necho prefix=build/install >> "$KAYCI_RESULTS_FILE"' });
    new CImage(p, 'image', { prefix: install.results.prefix });
    expect(envOf(containersOf(p, 'image')[0]!).PREFIX).toBe('$(KAYCI_RESULT_INSTALL_PREFIX)');
    expect(jobOf(p, 'image').needs).toEqual(['install']);
  });

  it('installs elsewhere with the image env given, and keeps the base entrypoint when none is given', () => {
    const p = newPipeline();
    new CImage(p, 'image', { prefix: 'stage', installPath: '/opt/app', imageEnv: { APP_HOME: '/opt/app' }, base: `example.com/base@${DIGEST}` });
    const script = scriptOf(p, 'image');
    expect(script).toContain('cp -RP "$PREFIX/." "$layer"/opt/app/\n');
    expect(script).toContain('-cf "$out/layer.tar" opt\n');
    expect(script).toContain('crane mutate "$scratch" --env APP_HOME=/opt/app --tag "$IMAGE_NAME"');
    expect(script).not.toContain('--entrypoint');
    expect(envOf(containersOf(p, 'image')[0]!).BASE_IMAGE).toBe(`example.com/base@${DIGEST}`);
  });
});

describe('Push', () => {
  it('pushes the tarball and checks the registry reports the digest that was built', () => {
    const p = newPipeline();
    const image = new GoImage(p, 'image', { binary: 'bin/server' });
    new Push(p, 'push', { source: image, registry: 'ghcr.io', repository: 'acme/server' });
    expect(envOf(containersOf(p, 'push')[0]!)).toEqual({
      REGISTRY: 'ghcr.io',
      REPOSITORY: 'acme/server',
      IMAGE_TARBALL: '$(KAYCI_RESULT_IMAGE_TARBALL)',
      IMAGE_DIGEST: '$(KAYCI_RESULT_IMAGE_DIGEST)',
    });
    const script = scriptOf(p, 'push');
    expect(script).toContain('target="$REGISTRY/$REPOSITORY:${IMAGE_TAG:-${KAYCI_COMMIT_SHA:-latest}}"');
    expect(script).toContain('ref=$(crane push "$IMAGE_TARBALL" "$target")');
    expect(script).toContain('if [ -n "${IMAGE_DIGEST:-}" ] && [ "$digest" != "$IMAGE_DIGEST" ]; then');
    expect(script).not.toContain('DOCKER_CONFIG');
  });

  it('logs in with a Docker config or a user and password from Secrets, and may speak plain HTTP', () => {
    const p = newPipeline();
    const version = new Param(p, 'version', { default: 'dev' });
    new Push(p, 'a', { source: 'images/app.tar', registry: 'registry.internal:5000', repository: 'team/app', tag: `v${version}`, insecure: true, credentials: { dockerConfig: Secret.fromName('regcred').key('.dockerconfigjson') } });
    new Push(p, 'b', { source: 'images/app.tar', registry: 'docker.io', repository: 'acme/app', credentials: { username: Secret.fromName('hub').key('user'), password: Secret.fromName('hub').key('token') } });
    expect(envOf(containersOf(p, 'a')[0]!)).toEqual({ REGISTRY_DOCKER_CONFIG: 'secret:regcred/.dockerconfigjson', REGISTRY: 'registry.internal:5000', REPOSITORY: 'team/app', IMAGE_TAG: 'v$(KAYCI_PARAM_VERSION)', IMAGE_TARBALL: 'images/app.tar' });
    expect(scriptOf(p, 'a')).toContain('ref=$(crane push --insecure "$IMAGE_TARBALL" "$target")');
    expect(scriptOf(p, 'a')).toContain(`printf '%s\\n' "$REGISTRY_DOCKER_CONFIG" > "$DOCKER_CONFIG/config.json"`);
    expect(envOf(containersOf(p, 'b')[0]!)).toMatchObject({ REGISTRY_USERNAME: 'secret:hub/user', REGISTRY_PASSWORD: 'secret:hub/token' });
    expect(scriptOf(p, 'b')).toContain(`trap 'rm -rf "$DOCKER_CONFIG"' EXIT`);
    // A tarball named by path implies no need.
    expect(jobOf(p, 'a').needs).toBeUndefined();
  });
});

describe('Sbom', () => {
  it('checks the digest and makes the output directory, runs /syft without a shell, then writes the results', () => {
    const { p } = chain();
    const { prepare, syft, results } = stepsOf(p, 'sbom');
    expect(containersOf(p, 'sbom').map((c) => c.name)).toEqual(['prepare', 'syft', 'results']);
    expect(prepare!.image).toBe(IMAGES.crane);
    const script = scriptOf(p, 'sbom', 'prepare');
    expect(script).toContain('grep -Eq \'@sha256:[0-9a-f]{64}$\'');
    expect(script).toContain('out=.kayci/out/sbom\nrm -rf "$out"\nmkdir -p "$out"');
    expect(script).not.toContain('DOCKER_CONFIG');
    expect(syft).toEqual({
      name: 'syft',
      image: IMAGES.syft,
      command: ['/syft'],
      args: ['scan', 'registry:$(IMAGE_REF)', '-o', 'spdx-json@2.3=.kayci/out/sbom/sbom.spdx.json', '-o', 'cyclonedx-json@1.6=.kayci/out/sbom/sbom.cdx.json'],
      env: [{ name: 'IMAGE_REF', value: '$(KAYCI_RESULT_PUSH_REF)' }, { name: 'SYFT_CHECK_FOR_APP_UPDATE', value: 'false' }],
    });
    expect(envOf(prepare!)).toEqual({ IMAGE_REF: '$(KAYCI_RESULT_PUSH_REF)' });
    expect(envOf(results!)).toEqual({ IMAGE_REF: '$(KAYCI_RESULT_PUSH_REF)' });
    const out = scriptOf(p, 'sbom', 'results');
    expect(out).toContain('echo "spdx=.kayci/out/sbom/sbom.spdx.json" >> "$KAYCI_RESULTS_FILE"');
    expect(out).toContain('echo "cyclonedx=.kayci/out/sbom/sbom.cdx.json" >> "$KAYCI_RESULTS_FILE"');
    expect(jobOf(p, 'sbom').template.template!.spec!.volumes).toBeUndefined();
  });

  it('describes a built tarball, or an image on a plain-HTTP registry, in the CycloneDX version asked', () => {
    const p = newPipeline();
    const image = new CImage(p, 'image', { prefix: 'build/install' });
    new Sbom(p, 'tar', { target: image, cyclonedxVersion: '1.5', credentials: { username: 'u', password: Secret.fromName('r').key('p') } });
    new Sbom(p, 'local', { target: `127.0.0.1:5000/acme/x@${DIGEST}`, insecure: true });
    const tar = stepsOf(p, 'tar');
    expect(envOf(tar.prepare!)).toEqual({ IMAGE_TARBALL: '$(KAYCI_RESULT_IMAGE_TARBALL)' });
    expect(jobOf(p, 'tar').needs).toEqual(['image']);
    expect(scriptOf(p, 'tar', 'prepare')).toContain('[ -f "$IMAGE_TARBALL" ] ||');
    expect(tar.syft!.args).toEqual(['scan', 'docker-archive:$(IMAGE_TARBALL)', '-o', 'spdx-json@2.3=.kayci/out/tar/sbom.spdx.json', '-o', 'cyclonedx-json@1.5=.kayci/out/tar/sbom.cdx.json']);
    // A tarball needs no registry: credentials given anyway go nowhere.
    expect(jobOf(p, 'tar').template.template!.spec!.volumes).toBeUndefined();
    expect(envOf(tar.syft!)).toEqual({ IMAGE_TARBALL: '$(KAYCI_RESULT_IMAGE_TARBALL)', SYFT_CHECK_FOR_APP_UPDATE: 'false' });
    expect(envOf(stepsOf(p, 'local').syft!)).toMatchObject({ SYFT_REGISTRY_INSECURE_USE_HTTP: 'true', SYFT_REGISTRY_INSECURE_SKIP_TLS_VERIFY: 'true' });
  });

  it('hands registry credentials from prepare to syft through an in-memory emptyDir, never the password itself', () => {
    const p = newPipeline();
    new Sbom(p, 'sbom', { target: `ghcr.io/acme/x@${DIGEST}`, credentials: { username: 'robot', password: Secret.fromName('reg').key('token') } });
    const { prepare, syft, results } = stepsOf(p, 'sbom');
    expect(jobOf(p, 'sbom').template.template!.spec!.volumes).toEqual([DOCKER_CONFIG_VOLUME]);
    expect(envOf(prepare!)).toEqual({ IMAGE_REF: `ghcr.io/acme/x@${DIGEST}`, REGISTRY_USERNAME: 'robot', REGISTRY_PASSWORD: 'secret:reg/token', DOCKER_CONFIG: '/kayci/docker-config' });
    expect(envOf(syft!)).toEqual({ IMAGE_REF: `ghcr.io/acme/x@${DIGEST}`, SYFT_CHECK_FOR_APP_UPDATE: 'false', DOCKER_CONFIG: '/kayci/docker-config' });
    for (const c of [prepare, syft, results]) expect(c!.volumeMounts).toEqual([DOCKER_CONFIG_MOUNT]);
    expect(scriptOf(p, 'sbom', 'prepare')).toContain('"$registry_host" "$registry_auth" > "$DOCKER_CONFIG/config.json"');
    expect(scriptOf(p, 'sbom', 'results')).toMatch(/^rm -f "\$DOCKER_CONFIG\/config.json"\n/);
  });
});

describe('Sign', () => {
  it('checks the digest, signs and attests with /ko-app/cosign (the key in those steps only), then names what it stored', () => {
    const { p } = chain();
    const { prepare, sign, attest, results } = stepsOf(p, 'sign');
    expect(containersOf(p, 'sign').map((c) => [c.name, c.image])).toEqual([['prepare', IMAGES.crane], ['sign', IMAGES.cosign], ['attest', IMAGES.cosign], ['results', IMAGES.crane]]);
    const cosignEnv = {
      IMAGE_REF: '$(KAYCI_RESULT_PUSH_REF)',
      SBOM_SPDX: '$(KAYCI_RESULT_SBOM_SPDX)',
      COSIGN_PRIVATE_KEY: 'secret:cosign/cosign.key',
      COSIGN_PASSWORD: 'secret:cosign/cosign.password',
    };
    expect(sign).toMatchObject({ command: ['/ko-app/cosign'], args: ['sign', '--yes', '--key', 'env://COSIGN_PRIVATE_KEY', '$(IMAGE_REF)'] });
    expect(attest).toMatchObject({ command: ['/ko-app/cosign'], args: ['attest', '--yes', '--key', 'env://COSIGN_PRIVATE_KEY', '--type', 'spdxjson', '--predicate', '$(SBOM_SPDX)', '$(IMAGE_REF)'] });
    expect(envOf(sign!)).toEqual(cosignEnv);
    expect(envOf(attest!)).toEqual(cosignEnv);
    for (const c of [prepare, results]) expect(envOf(c!)).toEqual({ IMAGE_REF: '$(KAYCI_RESULT_PUSH_REF)', SBOM_SPDX: '$(KAYCI_RESULT_SBOM_SPDX)' });
    const script = scriptOf(p, 'sign', 'prepare');
    expect(script).toContain('grep -Eq');
    expect(script).toContain('[ -f "$SBOM_SPDX" ] ||');
    const named = scriptOf(p, 'sign', 'results');
    expect(named).toContain('echo "signature=$stored.sig" >> "$KAYCI_RESULTS_FILE"');
    expect(named).toContain('echo "attestation=$stored.att" >> "$KAYCI_RESULTS_FILE"');
  });

  it('keeps private signatures out of the transparency log, and allows a plain-HTTP registry', () => {
    const p = newPipeline();
    new Sign(p, 'sign', { target: `127.0.0.1:5000/acme/x@${DIGEST}`, key: cosignKey, tlogUpload: false, insecure: true });
    expect(containersOf(p, 'sign').map((c) => c.name)).toEqual(['prepare', 'sign', 'results']);
    const { sign } = stepsOf(p, 'sign');
    expect(envOf(sign!)).toEqual({ IMAGE_REF: `127.0.0.1:5000/acme/x@${DIGEST}`, COSIGN_PRIVATE_KEY: 'secret:cosign/cosign.key', COSIGN_PASSWORD: '' });
    expect(sign!.args).toEqual(['sign', '--yes', '--key', 'env://COSIGN_PRIVATE_KEY', '--tlog-upload=false', '--allow-insecure-registry', '--allow-http-registry', '$(IMAGE_REF)']);
    expect(scriptOf(p, 'sign', 'results')).toContain('echo "attestation=" >> "$KAYCI_RESULTS_FILE"');
    expect(scriptOf(p, 'sign', 'prepare')).not.toContain('SBOM');
  });

  it('signs keyless with an OIDC token (rendered only: Fulcio and Rekor are not reachable here)', () => {
    const p = newPipeline();
    const version = new Param(p, 'image', { default: `ghcr.io/acme/x@${DIGEST}` });
    new Sign(p, 'sign', { target: String(version), keyless: true, identityToken: Secret.fromName('oidc').key('token') });
    const { sign } = stepsOf(p, 'sign');
    expect(envOf(sign!)).toEqual({ IMAGE_REF: '$(KAYCI_PARAM_IMAGE)', SIGSTORE_ID_TOKEN: 'secret:oidc/token' });
    expect(sign!.args).toEqual(['sign', '--yes', '$(IMAGE_REF)']);
  });

  it('hands registry credentials to the cosign steps through the emptyDir', () => {
    const p = newPipeline();
    new Sign(p, 'sign', { target: `ghcr.io/acme/x@${DIGEST}`, key: cosignKey, attest: 'sbom.spdx.json', credentials: { dockerConfig: Secret.fromName('regcred').key('.dockerconfigjson') } });
    const { prepare, sign, attest, results } = stepsOf(p, 'sign');
    expect(jobOf(p, 'sign').template.template!.spec!.volumes).toEqual([DOCKER_CONFIG_VOLUME]);
    expect(envOf(prepare!)).toEqual({ IMAGE_REF: `ghcr.io/acme/x@${DIGEST}`, SBOM_SPDX: 'sbom.spdx.json', REGISTRY_DOCKER_CONFIG: 'secret:regcred/.dockerconfigjson', DOCKER_CONFIG: '/kayci/docker-config' });
    for (const c of [sign, attest]) expect(envOf(c!)).toMatchObject({ DOCKER_CONFIG: '/kayci/docker-config' });
    for (const c of [sign, attest, results]) expect(envOf(c!)).not.toHaveProperty('REGISTRY_DOCKER_CONFIG');
    for (const c of [prepare, sign, attest, results]) expect(c!.volumeMounts).toEqual([DOCKER_CONFIG_MOUNT]);
  });
});

describe('Scan', () => {
  it('writes the report result, scans the SBOM with /grype failing at high, then checks the report (rendered only: no vulnerability database here)', () => {
    const { p } = chain();
    const { prepare, grype, results } = stepsOf(p, 'scan');
    expect(containersOf(p, 'scan').map((c) => [c.name, c.image])).toEqual([['prepare', IMAGES.crane], ['grype', IMAGES.grype], ['results', IMAGES.crane]]);
    expect(grype).toEqual({
      name: 'grype',
      image: IMAGES.grype,
      command: ['/grype'],
      args: ['sbom:$(SBOM_SPDX)', '--fail-on', 'high', '-o', 'table', '-o', 'json=.kayci/out/scan/report.json'],
      env: [{ name: 'SBOM_SPDX', value: '$(KAYCI_RESULT_SBOM_SPDX)' }, { name: 'GRYPE_CHECK_FOR_APP_UPDATE', value: 'false' }],
    });
    for (const c of [prepare, results]) expect(envOf(c!)).toEqual({ SBOM_SPDX: '$(KAYCI_RESULT_SBOM_SPDX)' });
    // The report's result is written before the verdict, and again after it.
    expect(scriptOf(p, 'scan', 'prepare')).toMatch(/\[ -f "\$SBOM_SPDX" \] \|\|[^\n]*\nout=\.kayci\/out\/scan\nrm -rf "\$out"\nmkdir -p "\$out"\necho "report=\.kayci\/out\/scan\/report\.json" >> "\$KAYCI_RESULTS_FILE"$/);
    expect(scriptOf(p, 'scan', 'results')).toContain('echo "report=.kayci/out/scan/report.json" >> "$KAYCI_RESULTS_FILE"');
  });

  it('scans a pushed image or a tarball, at the severity asked, with a database cache', () => {
    const p = newPipeline();
    const image = new GoImage(p, 'image', { binary: 'bin/server' });
    const push = new Push(p, 'push', { source: image, registry: '127.0.0.1:5000', repository: 'acme/x', insecure: true });
    const cache = new Cache('grype');
    new Scan(p, 'registry', { target: push, failOn: 'critical', insecure: true, cache, credentials: { username: 'u', password: Secret.fromName('r').key('p') } });
    new Scan(p, 'tarball', { target: image, failOn: 'medium' });
    const registry = stepsOf(p, 'registry');
    expect(registry.grype!.args).toEqual(['registry:$(IMAGE_REF)', '--fail-on', 'critical', '-o', 'table', '-o', 'json=.kayci/out/registry/report.json']);
    expect(envOf(registry.grype!)).toEqual({
      IMAGE_REF: '$(KAYCI_RESULT_PUSH_REF)',
      GRYPE_CHECK_FOR_APP_UPDATE: 'false',
      GRYPE_DB_CACHE_DIR: '/cache/grype/grype-db',
      GRYPE_REGISTRY_INSECURE_USE_HTTP: 'true',
      GRYPE_REGISTRY_INSECURE_SKIP_TLS_VERIFY: 'true',
      DOCKER_CONFIG: '/kayci/docker-config',
    });
    expect(registry.grype!.volumeMounts).toEqual([cache.mount, DOCKER_CONFIG_MOUNT]);
    expect(scriptOf(p, 'registry', 'prepare')).toContain('grep -Eq');
    expect(jobOf(p, 'registry').template.template!.spec!.volumes).toEqual([cache.volume, DOCKER_CONFIG_VOLUME]);
    expect(stepsOf(p, 'tarball').grype!.args!.slice(0, 3)).toEqual(['docker-archive:$(IMAGE_TARBALL)', '--fail-on', 'medium']);
    expect(jobOf(p, 'tarball').template.template!.spec!.volumes).toBeUndefined();
  });

  it('scans with trivy in the image given: the JSON report, then the table and the verdict from it', () => {
    const p = newPipeline();
    new Scan(p, 'scan', { target: `ghcr.io/acme/x@${DIGEST}`, scanner: 'trivy', image: `aquasec/trivy@${DIGEST}`, failOn: 'low' });
    const { trivy, verdict } = stepsOf(p, 'scan');
    expect(containersOf(p, 'scan').map((c) => [c.name, c.image])).toEqual([['prepare', IMAGES.crane], ['trivy', `aquasec/trivy@${DIGEST}`], ['verdict', `aquasec/trivy@${DIGEST}`], ['results', IMAGES.crane]]);
    expect([trivy!.command, trivy!.args]).toEqual([['trivy'], ['image', '$(IMAGE_REF)', '--severity', 'LOW,MEDIUM,HIGH,CRITICAL', '--format', 'json', '--output', '.kayci/out/scan/report.json']]);
    expect([verdict!.command, verdict!.args]).toEqual([['trivy'], ['convert', '--format', 'table', '--severity', 'LOW,MEDIUM,HIGH,CRITICAL', '--exit-code', '1', '.kayci/out/scan/report.json']]);
    expect(toolsOf(p, 'scan')).toEqual({ trivy: TOOLS.trivy });
  });
});

describe('tools whose images have no shell', () => {
  /** Images with no `sh`, and the one binary each runs. */
  const SHELL_LESS: Record<string, string> = { [IMAGES.syft]: '/syft', [IMAGES.cosign]: '/ko-app/cosign', [IMAGES.grype]: '/grype' };
  /** Images with `sh` on PATH that recipes run scripts in. */
  const WITH_SHELL: string[] = [IMAGES.crane, IMAGES.git, IMAGES.go, IMAGES.ko];

  it('Sbom, Sign and Scan never run sh in them, whatever the props', () => {
    const p = newPipeline();
    const image = new GoImage(p, 'image', { binary: 'bin/server' });
    const push = new Push(p, 'push', { source: image, registry: 'ghcr.io', repository: 'acme/x' });
    const userPassword = { username: 'u', password: Secret.fromName('r').key('p') };
    const dockerConfig = { dockerConfig: Secret.fromName('r').key('.dockerconfigjson') };
    const sbom = new Sbom(p, 'sbom', { target: push, credentials: userPassword, insecure: true });
    new Sbom(p, 'sbom-tarball', { target: image, cyclonedxVersion: '1.4' });
    new Sbom(p, 'sbom-literal', { target: `ghcr.io/acme/x@${DIGEST}`, credentials: dockerConfig });
    new Sign(p, 'sign', { target: push, key: cosignKey, password: cosignPassword, attest: sbom, tlogUpload: false, insecure: true, credentials: userPassword });
    new Sign(p, 'sign-keyless', { target: `ghcr.io/acme/x@${DIGEST}`, keyless: true, identityToken: Secret.fromName('o').key('t'), attest: 'sbom.json', credentials: dockerConfig });
    for (const target of [sbom, push, image, `ghcr.io/acme/x@${DIGEST}`] as const) {
      for (const failOn of ['negligible', 'critical'] as const) {
        new Scan(p, `scan-${p.jobs.length}`, { target, failOn, cache: new Cache('grype'), credentials: userPassword, insecure: true });
      }
    }
    const jobs = specOf(p).jobs.filter((j) => /^(sbom|sign|scan)/.test(j.name));
    expect(jobs).toHaveLength(13);
    let toolSteps = 0;
    for (const job of jobs) {
      for (const c of containersOf(p, job.name)) {
        const where = `${job.name}/${c.name}`;
        const binary = SHELL_LESS[c.image!];
        if (binary !== undefined) {
          toolSteps++;
          expect(c.command, where).toEqual([binary]);
          expect(c.args, where).toBeDefined();
          expect(c.args!.some((a) => /^-[a-z]*c$/.test(a) || a.includes('\n') || /\$\{|\$[A-Za-z_]/.test(a)), `${where} passes something only a shell reads: ${c.args!.join(' ')}`).toBe(false);
        } else {
          expect(c.command?.slice(0, 2), where).toEqual(['sh', '-ec']);
          expect(WITH_SHELL, where).toContain(c.image);
        }
      }
    }
    expect(toolSteps).toBe(15);
  });
});
