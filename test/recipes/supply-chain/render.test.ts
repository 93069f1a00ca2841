// What the supply-chain recipes render to: images, commands and flags, env (Secrets by
// reference only), the tools annotation, typed results and the needs they imply, and every
// pipeline passing validatePipeline. The scripts themselves run for real in scripts.test.ts
// and e2e.test.ts; grype and trivy only render here (their databases need the internet).
import { describe, expect, it } from 'vitest';
import { Cache, Job, Param, Secret } from '../../../constructs/index.ts';
import { IMAGES } from '../../../recipes/images.ts';
import { CImage, Checkout, GoImage, Push, Sbom, Scan, Sign, SUPPLY_CHAIN_TOOLS as TOOLS } from '../../../recipes/supply-chain/index.ts';
import { containersOf, envOf, jobOf, newPipeline, scriptOf, specOf, toolsOf } from './helpers.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const cosignKey = Secret.fromName('cosign').key('cosign.key');
const cosignPassword = Secret.fromName('cosign').key('cosign.password');

/** A whole chain: checkout → build → image → push → sbom → sign, scan. */
function chain() {
  const p = newPipeline();
  const checkout = new Checkout(p, 'checkout');
  const build = new Job(p, 'build', { image: IMAGES.go, needs: [checkout], results: ['binary'], run: 'go build -o bin/server ./cmd/server\necho binary=bin/server >> "$KAYCI_RESULTS_FILE"' });
  const image = new GoImage(p, 'image', { binary: build.results.binary });
  const push = new Push(p, 'push', { source: image, registry: 'ghcr.io', repository: 'acme/server' });
  const sbom = new Sbom(p, 'sbom', { target: push });
  const sign = new Sign(p, 'sign', { target: push, key: cosignKey, password: cosignPassword, attest: sbom });
  const scan = new Scan(p, 'scan', { target: sbom });
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

  it('runs each job in its IMAGES entry unless `image` says otherwise', () => {
    const { p } = chain();
    const images = Object.fromEntries(specOf(p).jobs.map((j) => [j.name, j.template.template!.spec!.containers.map((c) => c.image)]));
    expect(images).toMatchObject({
      checkout: [IMAGES.git],
      image: [IMAGES.crane],
      push: [IMAGES.crane],
      sbom: [IMAGES.syft],
      sign: [IMAGES.cosign],
      scan: [IMAGES.grype],
    });
    const q = newPipeline();
    new Sbom(q, 'sbom', { target: `ghcr.io/acme/x@${DIGEST}`, image: 'anchore/syft:debug', retries: 2, env: { SYFT_LOG: 'debug' } });
    const job = jobOf(q, 'sbom');
    expect(job.retries).toBe(2);
    expect(job.template.template!.spec!.containers[0]!.image).toBe('anchore/syft:debug');
    expect(envOf(job.template.template!.spec!.containers[0]!).SYFT_LOG).toBe('debug');
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
  it('describes the pushed image by digest, in SPDX 2.3 and CycloneDX JSON', () => {
    const { p } = chain();
    expect(envOf(containersOf(p, 'sbom')[0]!)).toEqual({ IMAGE_REF: '$(KAYCI_RESULT_PUSH_REF)' });
    const script = scriptOf(p, 'sbom');
    expect(script).toContain('grep -Eq \'@sha256:[0-9a-f]{64}$\'');
    expect(script).toContain('source="registry:$IMAGE_REF"');
    expect(script).toContain('syft scan "$source" -o "spdx-json@2.3=$out/sbom.spdx.json" -o "cyclonedx-json@1.6=$out/sbom.cdx.json"');
    expect(script).toContain('export SYFT_CHECK_FOR_APP_UPDATE=false');
    expect(script).not.toContain('INSECURE');
  });

  it('describes a built tarball, or an image on a plain-HTTP registry, in the CycloneDX version asked', () => {
    const p = newPipeline();
    const image = new CImage(p, 'image', { prefix: 'build/install' });
    new Sbom(p, 'tar', { target: image, cyclonedxVersion: '1.5' });
    new Sbom(p, 'local', { target: `127.0.0.1:5000/acme/x@${DIGEST}`, insecure: true });
    expect(envOf(containersOf(p, 'tar')[0]!)).toEqual({ IMAGE_TARBALL: '$(KAYCI_RESULT_IMAGE_TARBALL)' });
    expect(jobOf(p, 'tar').needs).toEqual(['image']);
    expect(scriptOf(p, 'tar')).toContain('source="docker-archive:$IMAGE_TARBALL"');
    expect(scriptOf(p, 'tar')).toContain('"cyclonedx-json@1.5=$out/sbom.cdx.json"');
    expect(scriptOf(p, 'local')).toContain('export SYFT_REGISTRY_INSECURE_USE_HTTP=true SYFT_REGISTRY_INSECURE_SKIP_TLS_VERIFY=true');
  });
});

describe('Sign', () => {
  it('signs by digest with a key and password from a Secret, and attests the SPDX SBOM', () => {
    const { p } = chain();
    expect(envOf(containersOf(p, 'sign')[0]!)).toEqual({
      IMAGE_REF: '$(KAYCI_RESULT_PUSH_REF)',
      COSIGN_PRIVATE_KEY: 'secret:cosign/cosign.key',
      COSIGN_PASSWORD: 'secret:cosign/cosign.password',
      SBOM_SPDX: '$(KAYCI_RESULT_SBOM_SPDX)',
    });
    const script = scriptOf(p, 'sign');
    expect(script).toContain('cosign sign --yes --key env://COSIGN_PRIVATE_KEY "$IMAGE_REF"');
    expect(script).toContain('cosign attest --yes --key env://COSIGN_PRIVATE_KEY --type spdxjson --predicate "$SBOM_SPDX" "$IMAGE_REF"');
    expect(script).toContain('signature=$(cosign triangulate --type signature "$IMAGE_REF")');
    expect(script.indexOf('grep -Eq')).toBeLessThan(script.indexOf('cosign sign'));
  });

  it('keeps private signatures out of the transparency log, and allows a plain-HTTP registry', () => {
    const p = newPipeline();
    new Sign(p, 'sign', { target: `127.0.0.1:5000/acme/x@${DIGEST}`, key: cosignKey, tlogUpload: false, insecure: true });
    expect(envOf(containersOf(p, 'sign')[0]!)).toEqual({ IMAGE_REF: `127.0.0.1:5000/acme/x@${DIGEST}`, COSIGN_PRIVATE_KEY: 'secret:cosign/cosign.key', COSIGN_PASSWORD: '' });
    const script = scriptOf(p, 'sign');
    expect(script).toContain('cosign sign --yes --key env://COSIGN_PRIVATE_KEY --tlog-upload=false --allow-insecure-registry --allow-http-registry "$IMAGE_REF"');
    expect(script).toContain('echo "attestation=" >> "$KAYCI_RESULTS_FILE"');
    expect(script).not.toContain('cosign attest');
  });

  it('signs keyless with an OIDC token (rendered only: Fulcio and Rekor are not reachable here)', () => {
    const p = newPipeline();
    const version = new Param(p, 'image', { default: `ghcr.io/acme/x@${DIGEST}` });
    new Sign(p, 'sign', { target: String(version), keyless: true, identityToken: Secret.fromName('oidc').key('token') });
    expect(envOf(containersOf(p, 'sign')[0]!)).toEqual({ IMAGE_REF: '$(KAYCI_PARAM_IMAGE)', SIGSTORE_ID_TOKEN: 'secret:oidc/token' });
    expect(scriptOf(p, 'sign')).toContain('cosign sign --yes "$IMAGE_REF"');
  });
});

describe('Scan', () => {
  it('scans the SBOM with grype and fails at high by default (rendered only: no vulnerability database here)', () => {
    const { p } = chain();
    expect(envOf(containersOf(p, 'scan')[0]!)).toEqual({ SBOM_SPDX: '$(KAYCI_RESULT_SBOM_SPDX)', GRYPE_CHECK_FOR_APP_UPDATE: 'false' });
    const script = scriptOf(p, 'scan');
    expect(script).toContain('grype "sbom:$SBOM_SPDX" --fail-on high -o table -o "json=$out/report.json"');
    expect(script.indexOf('echo "report=')).toBeLessThan(script.indexOf('grype '));
  });

  it('scans a pushed image or a tarball, at the severity asked, with a database cache', () => {
    const p = newPipeline();
    const image = new GoImage(p, 'image', { binary: 'bin/server' });
    const push = new Push(p, 'push', { source: image, registry: '127.0.0.1:5000', repository: 'acme/x', insecure: true });
    const cache = new Cache('grype');
    new Scan(p, 'registry', { target: push, failOn: 'critical', insecure: true, cache });
    new Scan(p, 'tarball', { target: image, failOn: 'medium' });
    expect(scriptOf(p, 'registry')).toContain('grype "registry:$IMAGE_REF" --fail-on critical');
    expect(envOf(containersOf(p, 'registry')[0]!)).toMatchObject({ IMAGE_REF: '$(KAYCI_RESULT_PUSH_REF)', GRYPE_DB_CACHE_DIR: '/cache/grype/grype-db', GRYPE_REGISTRY_INSECURE_USE_HTTP: 'true' });
    expect(jobOf(p, 'registry').template.template!.spec!.volumes).toEqual([cache.volume]);
    expect(scriptOf(p, 'tarball')).toContain('grype "docker-archive:$IMAGE_TARBALL" --fail-on medium');
  });

  it('scans with trivy in the image given', () => {
    const p = newPipeline();
    new Scan(p, 'scan', { target: `ghcr.io/acme/x@${DIGEST}`, scanner: 'trivy', image: `aquasec/trivy@${DIGEST}`, failOn: 'low' });
    const script = scriptOf(p, 'scan');
    expect(script).toContain('trivy image "$IMAGE_REF" --severity LOW,MEDIUM,HIGH,CRITICAL --exit-code 1 --format json --output "$out/report.json" || status=$?');
    expect(toolsOf(p, 'scan')).toEqual({ trivy: TOOLS.trivy });
  });
});
