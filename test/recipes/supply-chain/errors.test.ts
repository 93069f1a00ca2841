// Bad input to the supply-chain recipes fails when the construct is created, naming the
// construct path, the prop and the fix — and leaves no half-made job in the pipeline. What
// depends on the rest of the pipeline (a workspace to share files through) is reported at synth.
import { describe, expect, it } from 'vitest';
import { PropError, Secret, type Pipeline } from '../../../constructs/index.ts';
import { CImage, Checkout, GoImage, Push, Sbom, Scan, Sign, type PushProps } from '../../../recipes/supply-chain/index.ts';
import { newPipeline } from './helpers.ts';

const DIGEST = `sha256:${'cd'.repeat(32)}`;
const key = Secret.fromName('cosign').key('cosign.key');

/** The PropError `make` throws; the pipeline holds no job named `id` afterwards. */
function propError(p: Pipeline, id: string, make: () => unknown): PropError {
  let thrown: unknown;
  try {
    make();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(PropError);
  expect((thrown as PropError).code).toBe('KAYCI_INVALID_PROP');
  expect(p.jobs.map((j) => j.name)).not.toContain(id);
  return thrown as PropError;
}

describe('Sign', () => {
  it('needs a key unless keyless', () => {
    const p = newPipeline();
    const e = propError(p, 'sign', () => new Sign(p, 'sign', { target: `ghcr.io/acme/x@${DIGEST}` }));
    expect(e.message).toBe("[sc/sign] key: is required unless keyless: give key: Secret.fromName('cosign').key('cosign.key') (from `cosign generate-key-pair`, with password: Secret.fromName('cosign').key('cosign.password')), or keyless: true to sign with the job's OIDC identity");
    // The pipeline is still whole: the same id can be used again.
    new Sign(p, 'sign', { target: `ghcr.io/acme/x@${DIGEST}`, key });
    expect(p.render().errors).toEqual([]);
  });

  it('signs only by digest: a tag names whatever was pushed last', () => {
    const p = newPipeline();
    const e = propError(p, 'sign', () => new Sign(p, 'sign', { target: 'ghcr.io/acme/server:v1.2.0', key }));
    expect(e.message).toBe('[sc/sign] target: "ghcr.io/acme/server:v1.2.0" is a tag, not a digest: a tag can point at other content by the time this job runs. Pass the Push job (`target: push`), whose `ref` result is by digest, or `ghcr.io/acme/server:v1.2.0@sha256:<digest>` (e.g. from `crane digest ghcr.io/acme/server:v1.2.0`)');
    expect(propError(p, 'sign', () => new Sign(p, 'sign', { target: 'ghcr.io/acme/server@sha256:abc', key })).message).toMatch(/target: "ghcr\.io\/acme\/server@sha256:abc" is not a valid digest reference/);
  });

  it('rejects contradictions', () => {
    const p = newPipeline();
    const target = `ghcr.io/acme/x@${DIGEST}`;
    expect(propError(p, 's', () => new Sign(p, 's', { target, key, keyless: true })).message).toMatch(/^\[sc\/s\] keyless: cannot be combined with key/);
    expect(propError(p, 's', () => new Sign(p, 's', { target, keyless: true, tlogUpload: false })).message).toMatch(/^\[sc\/s\] tlogUpload: cannot be false with keyless/);
    expect(propError(p, 's', () => new Sign(p, 's', { target, keyless: true, password: Secret.fromName('c').key('p') })).message).toMatch(/^\[sc\/s\] password: goes with key/);
    expect(propError(p, 's', () => new Sign(p, 's', { target, key, identityToken: Secret.fromName('o').key('t') })).message).toMatch(/^\[sc\/s\] identityToken: is for keyless signing/);
    // A key must come from a Secret, never from the pipeline's source.
    expect(propError(p, 's', () => new Sign(p, 's', { target, key: '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----' as never })).message).toMatch(/^\[sc\/s\] key: must be a Secret key/);
  });
});

describe('Push', () => {
  const image = 'images/app.tar';

  it('needs a registry and a repository', () => {
    const p = newPipeline();
    expect(propError(p, 'push', () => new Push(p, 'push', { source: image, repository: 'acme/app' } as PushProps)).message).toBe("[sc/push] registry: is required: the registry host to push to, e.g. 'ghcr.io' or '127.0.0.1:5000'");
    expect(propError(p, 'push', () => new Push(p, 'push', { source: image, registry: 'ghcr.io', repository: '' })).message).toBe("[sc/push] repository: is required: the repository in the registry, e.g. 'acme/server'");
    expect(propError(p, 'push', () => new Push(p, 'push', {} as PushProps)).message).toBe("[sc/push] registry: is required: the registry host to push to, e.g. 'ghcr.io' or '127.0.0.1:5000' (and repository, source)");
  });

  it('says where a path or a tag belongs', () => {
    const p = newPipeline();
    expect(propError(p, 'push', () => new Push(p, 'push', { source: image, registry: 'ghcr.io/acme', repository: 'app' })).message).toBe('[sc/push] registry: "ghcr.io/acme" is not a registry host: put the host in registry ("ghcr.io") and the path in repository ("acme")');
    expect(propError(p, 'push', () => new Push(p, 'push', { source: image, registry: 'ghcr.io', repository: 'acme/app:v1' })).message).toBe('[sc/push] repository: "acme/app:v1" is not a repository: put the tag in `tag`; the digest is what the push reports');
    expect(propError(p, 'push', () => new Push(p, 'push', { source: image, registry: 'ghcr.io', repository: 'Acme/App' })).message).toMatch(/repository: "Acme\/App" is not a repository: lowercase/);
    expect(propError(p, 'push', () => new Push(p, 'push', { source: image, registry: 'ghcr.io', repository: 'acme/app', tag: 'v1 beta' })).message).toMatch(/tag: "v1 beta" is not a tag/);
    expect(propError(p, 'push', () => new Push(p, 'push', { source: image, registry: 'ghcr.io', repository: 'acme/app', credentials: { password: key } as never })).message).toMatch(/credentials.username: is required with a password/);
  });
});

describe('Sbom and Scan', () => {
  it('read images by digest only', () => {
    const p = newPipeline();
    expect(propError(p, 'sbom', () => new Sbom(p, 'sbom', { target: 'alpine:3.20' })).message).toMatch(/^\[sc\/sbom\] target: "alpine:3\.20" is a tag, not a digest: .*`crane digest alpine:3\.20`/);
    expect(propError(p, 'scan', () => new Scan(p, 'scan', { target: 'ghcr.io/acme/x:latest' })).message).toMatch(/^\[sc\/scan\] target: "ghcr\.io\/acme\/x:latest" is a tag, not a digest: .*; or scan an Sbom job's SBOM \(`target: sbom`\)$/);
  });

  it('reject unknown settings', () => {
    const p = newPipeline();
    const target = `ghcr.io/acme/x@${DIGEST}`;
    expect(propError(p, 'scan', () => new Scan(p, 'scan', { target, failOn: 'severe' as never })).message).toMatch(/failOn: "severe" is not one of negligible, low, medium, high, critical/);
    expect(propError(p, 'scan', () => new Scan(p, 'scan', { target, scanner: 'trivy' })).message).toMatch(/^\[sc\/scan\] image: is required with scanner: 'trivy'/);
    expect(propError(p, 'sbom', () => new Sbom(p, 'sbom', { target, cyclonedxVersion: '1.7' as never })).message).toMatch(/cyclonedxVersion: "1\.7" is not one of/);
  });
});

describe('GoImage and CImage', () => {
  it('need exactly one of binary and importPath', () => {
    const p = newPipeline();
    expect(propError(p, 'image', () => new GoImage(p, 'image', {})).message).toMatch(/^\[sc\/image\] binary: is required: the static Go binary to put in the image/);
    expect(propError(p, 'image', () => new GoImage(p, 'image', { binary: 'bin/x', importPath: './cmd/x' })).message).toMatch(/^\[sc\/image\] importPath: cannot be combined with binary/);
  });

  it('say what ko cannot do', () => {
    const p = newPipeline();
    expect(propError(p, 'image', () => new GoImage(p, 'image', { importPath: './cmd/x', emptyBase: true })).message).toMatch(/emptyBase: ko needs a base image/);
    expect(propError(p, 'image', () => new GoImage(p, 'image', { importPath: './cmd/x', entrypoint: '/x' })).message).toMatch(/entrypoint: ko puts the binary at \/ko-app\/<name>/);
  });

  it('check paths, platforms and names', () => {
    const p = newPipeline();
    expect(propError(p, 'image', () => new GoImage(p, 'image', { binary: 'bin/x', entrypoint: 'app/x' })).message).toMatch(/entrypoint: "app\/x" must be an absolute path in the image/);
    expect(propError(p, 'image', () => new GoImage(p, 'image', { binary: 'bin/x', platform: 'amd64' })).message).toMatch(/platform: "amd64" is not os\/arch/);
    expect(propError(p, 'image', () => new GoImage(p, 'image', { binary: 'bin/x', base: 'x', emptyBase: true })).message).toMatch(/base: cannot be combined with emptyBase/);
    expect(propError(p, 'image', () => new GoImage(p, 'image', { binary: 'bin/x', imageName: 'Server:latest' })).message).toMatch(/imageName: "Server:latest" is not an image name/);
    expect(propError(p, 'image', () => new CImage(p, 'image', {} as never)).message).toMatch(/^\[sc\/image\] prefix: is required: the install tree in the workspace/);
    expect(propError(p, 'image', () => new CImage(p, 'image', { prefix: 'i', installPath: 'usr/local' })).message).toMatch(/installPath: "usr\/local" must be an absolute path/);
  });
});

describe('Checkout', () => {
  it('checks depth and token user', () => {
    const p = newPipeline();
    expect(propError(p, 'checkout', () => new Checkout(p, 'checkout', { depth: 0 })).message).toBe('[sc/checkout] depth: must be a whole number of 1 or more (1 fetches just the commit), got 0');
    expect(propError(p, 'checkout', () => new Checkout(p, 'checkout', { tokenUser: 'oauth2' })).message).toMatch(/tokenUser: goes with token/);
  });
});

describe('props a recipe cannot do without', () => {
  it('stay required with or without an id, and say which are missing', () => {
    const p = newPipeline();
    // @ts-expect-error Push needs a source, a registry and a repository
    expect(propError(p, 'push', () => new Push(p)).message).toBe("[sc/push] registry: is required: the registry host to push to, e.g. 'ghcr.io' or '127.0.0.1:5000' (and repository, source)");
    // @ts-expect-error an id does not stand for the props
    expect(propError(p, 'image', () => new GoImage(p, 'image')).message).toMatch(/^\[sc\/image\] binary: is required/);
    // @ts-expect-error CImage needs the install tree
    expect(propError(p, 'image', () => new CImage(p)).message).toMatch(/^\[sc\/image\] prefix: is required/);
    // @ts-expect-error Sbom needs a target
    expect(propError(p, 'sbom', () => new Sbom(p)).message).toMatch(/^\[sc\/sbom\] target: must be a Push job/);
    // @ts-expect-error Sign needs a target
    expect(propError(p, 'sign', () => new Sign(p)).message).toMatch(/^\[sc\/sign\] target: must be a Push job/);
    // @ts-expect-error Scan needs a target
    expect(propError(p, 'scan', () => new Scan(p)).message).toMatch(/^\[sc\/scan\] target: must be a Push job/);
    // Checkout needs none.
    expect(new Checkout(p).name).toBe('checkout');
  });
});

describe('at synth', () => {
  it('reports recipes that pass files between jobs in a pipeline without a workspace', () => {
    const p = newPipeline('nows', {});
    const checkout = new Checkout(p, 'checkout');
    const image = new GoImage(p, 'image', { binary: 'bin/server', needs: [checkout] });
    const push = new Push(p, 'push', { source: image, registry: 'ghcr.io', repository: 'acme/server' });
    const sbom = new Sbom(p, 'sbom', { target: push });
    new Sign(p, 'sign', { target: push, key, attest: sbom });
    const fix = "which needs the pipeline's workspace: add `workspace: { size: '2Gi' }` to the Pipeline's props";
    expect(p.render().errors).toEqual([
      { construct: 'nows/checkout', message: `checkout clones into the workspace for the jobs after it, ${fix}` },
      { construct: 'nows/image', message: `the image is written to the workspace for the jobs after it, ${fix}` },
      { construct: 'nows/push', message: `push reads the image tarball from the workspace, ${fix}` },
      { construct: 'nows/sbom', message: `the SBOM files are written to the workspace for the jobs after it, ${fix}` },
      { construct: 'nows/sign', message: `the attestation reads the SBOM file from the workspace, ${fix}` },
    ]);
  });
});
