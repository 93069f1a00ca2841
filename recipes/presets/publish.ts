// The publishing half of the presets: image → push (by digest) → SBOM → sign (with the SBOM as
// an attestation) → scan. A signature lives next to an image in a registry and names its
// digest, so the image is pushed by digest before it is described and signed; every job after
// the push refers to it by digest, never by tag.
import { PropError } from '../../constructs/errors.ts';
import type { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import type { When } from '../../src/api/v1alpha1/pipeline.ts';
import type { GoBuild } from '../go/build.ts';
import { CImage, GoImage, type CImageProps, type GoImageProps } from '../supply-chain/image.ts';
import { Push } from '../supply-chain/push.ts';
import { Sbom, type SbomProps } from '../supply-chain/sbom.ts';
import { Scan, type ScanProps } from '../supply-chain/scan.ts';
import type { RegistryCredentials } from '../supply-chain/shared.ts';
import { Sign, type SignProps } from '../supply-chain/sign.ts';

/** Where the image goes and what it is built on. */
export interface ImageSettings {
  /** Registry host, e.g. `ghcr.io`. */
  readonly registry: string;
  /** Repository in the registry, e.g. `acme/service`. */
  readonly repository: string;
  /**
   * Tag to push, for people (jobs use the digest).
   * @default the commit SHA
   */
  readonly tag?: string;
  /**
   * How to log in to the registry.
   * @default anonymous
   */
  readonly credentials?: RegistryCredentials;
  /**
   * A plain-HTTP or self-signed registry (in-cluster or loopback only).
   * @default false
   */
  readonly insecure?: boolean;
  /**
   * Base image, pinned by digest.
   * @default distroless static (Go) or cc (C), from IMAGES
   */
  readonly base?: string;
}

/**
 * How the pushed image is signed: a cosign key from a Secret, or keyless (OIDC). Each prop is
 * Sign's, with its documentation and default.
 */
export type SignSettings =
  | (Required<Pick<SignProps, 'key'>> & Pick<SignProps, 'password' | 'tlogUpload'>)
  | ({
      /** Sign keyless, with the job's OIDC identity: see SignProps.keyless. */
      readonly keyless: true;
    } & Pick<SignProps, 'identityToken'>);

/** Props of the publishing half of a preset: the image, and the SBOM, signature and scan of it. */
export interface PublishProps {
  /**
   * Build an image and push it. Without it the pipeline stops at the build.
   * @default no image
   */
  readonly image?: ImageSettings;
  /**
   * SBOM of the pushed image (SPDX and CycloneDX).
   * @default on when there is an image
   */
  readonly sbom?: Partial<Omit<SbomProps, 'target'>> | false;
  /**
   * How to sign the pushed image. Required with an image: give a key or `{ keyless: true }`, or
   * `false` to publish unsigned images on purpose.
   * @default none: required when there is an image
   */
  readonly sign?: SignSettings | false;
  /**
   * When the image is built and published.
   * @default { events: ['tag'] }: for tags only; pushes and pull requests stop at the build
   */
  readonly publishWhen?: Readonly<When>;
  /**
   * Vulnerability scan of the SBOM.
   * @default on when there is an image, failing on high severity
   */
  readonly scan?: Partial<Omit<ScanProps, 'target'>> | false;
}

/** The publishing jobs of a preset, each with its recipe's results; those turned off are undefined. */
export interface Published {
  /** The image build: `image`. */
  readonly image: GoImage | CImage;
  /** The push, by digest: `push`. */
  readonly push: Push;
  /** The SBOM of the pushed image: `sbom`; undefined with `sbom: false`. */
  readonly sbom?: Sbom;
  /** The signature (and SBOM attestation): `sign`; undefined with `sign: false`. */
  readonly sign?: Sign;
  /** The vulnerability scan of the SBOM (or the pushed image): `scan`; undefined with `scan: false`. */
  readonly scan?: Scan;
}

/** What a preset hands `publish`: what the image waits for, and what goes in it. */
export interface PublishFrom {
  /** What the image job waits for: the checks and the build. */
  readonly needs: readonly Job<string>[];
  /**
   * A Go binary to put in the image…
   * @default none: give this or `cPrefix`
   */
  readonly goBinary?: GoBuild;
  /**
   * …or a C install tree.
   * @default none: give this or `goBinary`
   */
  readonly cPrefix?: CImageProps['prefix'];
}

export function publish(pipeline: Pipeline, props: PublishProps & { readonly image: ImageSettings }, from: PublishFrom): Published {
  if (props.sign === undefined) {
    throw new PropError(pipeline, 'sign', 'an image needs a signature: give sign: { key: Secret.fromName(…).key(…) } or { keyless: true }, or sign: false to publish it unsigned on purpose');
  }
  const settings = props.image;
  const when = props.publishWhen ?? { events: ['tag'] };
  const registry = { credentials: settings.credentials, insecure: settings.insecure, when };
  const imageProps = { needs: [...from.needs], base: settings.base, when };
  const image = from.goBinary
    ? new GoImage(pipeline, { ...imageProps, binary: from.goBinary.results.binary, platform: from.goBinary.platform } as GoImageProps)
    : new CImage(pipeline, { ...imageProps, prefix: from.cPrefix! });
  const push = new Push(pipeline, { source: image, registry: settings.registry, repository: settings.repository, tag: settings.tag, ...registry });
  const sbom = props.sbom === false ? undefined : new Sbom(pipeline, { ...props.sbom, ...registry, target: push });
  const sign = props.sign ? new Sign(pipeline, { ...props.sign, ...registry, target: push, attest: sbom }) : undefined;
  const scan = props.scan === false ? undefined : new Scan(pipeline, { ...props.scan, ...registry, target: sbom ?? push });
  return { image, push, sbom, sign, scan };
}
