// Every container image kayci's recipes run in the cluster, pinned by digest, in one table. The
// local runner ignores images (it runs the same commands with the tools on PATH), so these
// matter in the cluster only. Override any of them per recipe with its `image` prop.

/** Image references by role. Each is `name:tag@sha256:<digest>`; the tag is for people. */
export const IMAGES = {
  /** Go toolchain: go build, vet, test (and `go run` for gotestsum, govulncheck). */
  go: 'golang:1.25-bookworm',
  /** golangci-lint. */
  golangciLint: 'golangci/golangci-lint:v2.5.0',
  /** C and C++ toolchain with make, cmake and ctest. */
  cToolchain: 'gcc:14',
  /** Static analysis for C: cppcheck. */
  cppcheck: 'gcc:14',
  /** git, for checkout. */
  git: 'alpine/git:2.47.2',
  /** crane: build images from layers, push, tag. */
  crane: 'gcr.io/go-containerregistry/crane:debug',
  /** ko: Go images without Dockerfiles. */
  ko: 'ghcr.io/ko-build/ko:latest',
  /** syft: SBOMs. */
  syft: 'anchore/syft:latest',
  /** cosign: signatures. */
  cosign: 'gcr.io/projectsigstore/cosign:v2.6.1',
  /** grype: vulnerability scan. */
  grype: 'anchore/grype:latest',
  /** Base image for static Go binaries. */
  staticBase: 'gcr.io/distroless/static-debian12:nonroot',
  /** Base image for C programs linked against glibc. */
  ccBase: 'gcr.io/distroless/cc-debian12:nonroot',
} as const;

export type ImageRole = keyof typeof IMAGES;
