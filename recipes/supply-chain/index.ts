// Supply-chain recipes: check out the commit, build an image (Go with crane or ko, C from a CMake
// install tree), push it, describe it (SBOM), sign and attest it, scan it. Images travel between
// jobs by digest, as typed results: `new Sign(p, 'sign', { image: push, attest: sbom, key })`.
export { Checkout, type CheckoutProps } from './checkout.ts';
export { GoImage, CImage, type ImageProps, type GoImageProps, type CImageProps } from './image.ts';
export { Push, type PushProps } from './push.ts';
export { Sbom, type SbomProps } from './sbom.ts';
export { Sign, type SignProps } from './sign.ts';
export { Scan, SEVERITIES, type ScanProps, type Severity } from './scan.ts';
export { TOOLS as SUPPLY_CHAIN_TOOLS, type BuiltImage, type PushedImage, type SbomFiles, type RegistryCredentials } from './shared.ts';
