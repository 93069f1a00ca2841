// Every container image kayci's recipes run in the cluster, pinned by digest, in one table. The
// local runner ignores images (it runs the same commands with the tools on PATH), so these
// matter in the cluster only. Override any of them per recipe with its `image` prop.
//
// Every digest below is a multi-arch index digest copied from public material (no registry was
// queried when this table was written); the comment on each entry says where it was seen. Recipe
// scripts run as `sh -ec '<script>'`, so a role that runs a script needs `sh` on PATH: the doc
// comment on each role says whether its image has one.

/** Image references by role. Each is `name:tag@sha256:<digest>`; the tag is for people. */
export const IMAGES = {
  /**
   * Go toolchain: go build, vet, test (and `go run` for gotestsum, govulncheck, ko). Debian
   * bookworm; has sh and bash. This digest is the go1.25.14 build of the tag.
   */
  // seen in netenglabs/bgperf2 sink.py, 0then0/bindwitness scripts/validation.Dockerfile and
  // SmileYangzy/vm2api ARM64-EMULATION.md
  go: 'golang:1.25-bookworm@sha256:3b4a11519ad929d1e1d261a12cff056f0c85b735253d7d861346b9c6f8b36437',
  /** golangci-lint v2 on the Debian golang image (Go toolchain included); has sh and bash. */
  // seen in Dankosik/go-service-template-rest build/docker/tooling-images.Dockerfile and
  // coopnorge/mage internal/devtool/tools.Dockerfile (both Dependabot/Renovate-pinned)
  golangciLint:
    'golangci/golangci-lint:v2.10.1@sha256:ea84d14c2fef724411be7dc45e09e6ef721d748315252b02df19a7e3113ee763',
  /**
   * C and C++ toolchain: Microsoft's Dev Container C++ image on Debian 12 — build-essential
   * (gcc/g++ 12.2, make), cmake 3.25 with ctest, ninja, clang 14, gdb, valgrind, cppcheck 2.10.
   * Has sh and bash; runs as root unless the pod says otherwise. Debian 12 on purpose: its
   * glibc 2.36 matches `ccBase`, so binaries built here run there. Large (vcpkg, LLVM).
   */
  // official: devcontainers/images src/cpp/history/3.0.7.md (variant bookworm, "Digest:")
  cToolchain:
    'mcr.microsoft.com/devcontainers/cpp:3.0.7-bookworm@sha256:1899c1a2ee08f23baac49e77fe2021dc197bceb02c7b9157aa550b792cc41834',
  /** Static analysis for C: cppcheck 2.10, from the same image as `cToolchain`; has sh. */
  // official: devcontainers/images src/cpp/history/3.0.7.md lists cppcheck 2.10-2 in this variant
  cppcheck:
    'mcr.microsoft.com/devcontainers/cpp:3.0.7-bookworm@sha256:1899c1a2ee08f23baac49e77fe2021dc197bceb02c7b9157aa550b792cc41834',
  /**
   * clang-tidy 18.1.8 (LLVM apt packages clang-18, clang-tidy-18, clang-format-18, lld-18,
   * libc++-18) on debian:bookworm-slim, with cmake, make and libc6-dev. Has sh and bash.
   * `clang-tidy` is on PATH (/usr/bin links to /usr/lib/llvm-18/bin). Reads the
   * compile_commands.json of a gcc build, but gcc-only flags in it become clang-diagnostic errors,
   * and headers the build image installed outside the workspace (apt -dev packages, vcpkg) are
   * missing here. `cToolchain` has clang 14 but no clang-tidy.
   */
  // seen as docker.io/silkeh/clang:18-bookworm in qianyi-sun/loom
  // scripts/ops/task_image_builder_guard_bpf_build.py (expects "Debian clang version 18.1.8"), as
  // silkeh/clang:18 in moisesfilho/tab5-os tests/test_clang_tidy_gate_contract.py (its workflow
  // checks `clang-tidy --version` for "LLVM version 18."), and digest-only in FractalEncrypt/Kern
  // ci/clang18-toolchain.Dockerfile and ci/static-analysis.Dockerfile (copies clang-tidy out of
  // it). Probably the multi-arch index (silkeh/docker-clang builds amd64, arm64 and s390x), but
  // no source says so.
  clangTidy:
    'silkeh/clang:18-bookworm@sha256:3914c93a02e866795aafc80737488e515b96390eff3d2787cf8c5095997baea9',
  /**
   * Coverage reports: the official full (non-slim) Python 3.13.15 image on Debian 12
   * (buildpack-deps:bookworm). It has Debian's gcc 12.2.0-14+deb12u1 and its gcov (`gcov` is
   * gcov-12), the same build as `cToolchain`'s, so gcov reads that build's .gcno/.gcda. Has
   * sh and bash; runs as root. gcovr is NOT in the image: install a pinned version first, e.g.
   * `python3 -m pip install --no-cache-dir gcovr==8.3` (needs PyPI at job time). No public image
   * with gcovr and gcc 12.2 was found.
   */
  // official: docker-library/repo-info repos/python/remote/3.13-bookworm.md at commit 1d9af683
  // (OCI index, PYTHON_VERSION=3.13.15, apt-installs gcc and g++); repos/python/local/3.13-bookworm.md
  // (the 3.13.14 build) lists gcc-12=12.2.0-14+deb12u1. Other public files pin the same digest too,
  // one of them as Python 3.13.15.
  gcovr:
    'python:3.13-bookworm@sha256:227b6570d6ee07061ae6ca2eb04dedfb6d2b34045835f343065b9869e4d427ea',
  /** git, for checkout. Alpine; has sh (busybox). Its entrypoint is git: set the command. */
  // seen in writtendev/walden Dockerfile and redhat-cop/helm-charts
  // charts/static-site/alpine-curl-git.Dockerfile (Renovate, as alpine/git:v2.47.2, same image)
  git: 'alpine/git:2.47.2@sha256:062a01ad7a0eb17cff382bc5e26086b4d710e56dfdfdf001109a49b6d9bd378c',
  /**
   * crane: build images from layers, push, tag. The `:debug` variant (crane v0.22.1) has a
   * busybox shell at /busybox/sh, on PATH; crane itself is /ko-app/crane, also on PATH.
   */
  // seen in squirro/slowshield tests/e2e/test_containers.py and
  // rosenhouse/capi-dagger-dev-env explore/flux/lib.sh
  crane:
    'gcr.io/go-containerregistry/crane:debug@sha256:e78770b31258a3846f878036d9c1f63fbe4c871f9f56990bf77fd95c013e3c1b',
  /**
   * ko: Go images without Dockerfiles. No digest of ghcr.io/ko-build/ko could be found, so this
   * is the `go` image and ko is not on PATH: run it as `go run github.com/google/ko@v0.18.1`
   * (the ko-build/ko image is the golang image plus that binary). Has sh and bash.
   */
  // same image and evidence as `go`
  ko: 'golang:1.25-bookworm@sha256:3b4a11519ad929d1e1d261a12cff056f0c85b735253d7d861346b9c6f8b36437',
  /**
   * syft v1.51.0: SBOMs. NO SHELL (distroless); the binary is /syft and the image's entrypoint,
   * so run it as the container's command, not through `sh -ec`. A `-debug` variant with busybox
   * exists but no digest of it could be found.
   */
  // seen in no42-org/blitsbom Dockerfile (Dependabot), MyGarfield/ProofFlow
  // deploy/tool-service/scripts/collect_supply_chain_evidence.py and LorbusChris/bluespin
  // files/etc/profile.d/97-bluespin-container-clis.sh (Renovate)
  syft: 'anchore/syft:v1.51.0@sha256:678bfa565b60f747aac0f8e964fe5588a24445b8d0a480e91f6efd70020dfbb0',
  /**
   * cosign v2.6.1: signatures. NO SHELL (ko-built on a static base); the binary is
   * /ko-app/cosign and the entrypoint. The same digest is published as
   * ghcr.io/sigstore/cosign/cosign. A `-dev` variant with a shell exists but no digest of it
   * could be found.
   */
  // seen in macod-spec/enterprise-genai-agent-platform scripts/sign-local-image.sh and
  // datopsis/seaweedfs-ubi tests/acquisition-signature.sh (as ghcr.io/sigstore/cosign/cosign)
  cosign:
    'gcr.io/projectsigstore/cosign:v2.6.1@sha256:68839b7f13dac5a6744a5d8818e984dd39183374e37855c19e14d623d9bc9037',
  /**
   * grype v0.117.0: vulnerability scan. NO SHELL (distroless); the binary is /grype and the
   * entrypoint. A `debug` variant with busybox exists but no digest of it could be found.
   */
  // seen in LorbusChris/bluespin files/etc/profile.d/97-bluespin-container-clis.sh (Renovate)
  // and ulfe-lmi/slaif-agent-site oap/reports/008-a-reproducible-build-license-sbom-gates.md
  grype: 'anchore/grype:v0.117.0@sha256:ddf9e9f204049f3a4a0955ef70873cabab6a31432125ad4f20a490b54950a253',
  /** Base image for static Go binaries: uid 65532, CA certificates, tzdata. No shell. */
  // seen in emircanagac/northscope Dockerfile, Akhilmadineni/clixor-backend Dockerfile and
  // IggyGG/llm-multiaccount-proxy Dockerfile
  staticBase:
    'gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab',
  /** Base image for C programs linked against glibc (Debian 12: glibc, libgcc). No shell. */
  // seen in SIIR3X/auth-api Dockerfile and IggyGG/llm-multiaccount-proxy Dockerfile (earlier
  // commits of both), and in many other Dockerfiles pinning cc-debian12:nonroot
  ccBase:
    'gcr.io/distroless/cc-debian12:nonroot@sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f',
} as const;

export type ImageRole = keyof typeof IMAGES;
