#!/usr/bin/env bash
# Installs the tools the recipe tests run for real (crane, cosign, syft, ko, golangci-lint; cmake,
# ctest, cppcheck, clang-tidy, gcovr), at pinned versions, skipping what is already installed.
# Go tools go to $GOBIN (default $(go env GOPATH)/bin); add it to PATH. Used by .ci/run.
set -euo pipefail

export GOTOOLCHAIN=local
GOBIN="${GOBIN:-$(go env GOPATH)/bin}"
export GOBIN
mkdir -p "$GOBIN"

# name module version
GO_TOOLS=(
  "crane github.com/google/go-containerregistry/cmd/crane v0.20.6"
  "cosign github.com/sigstore/cosign/v2/cmd/cosign v2.6.1"
  "syft github.com/anchore/syft/cmd/syft v1.33.0"
  "ko github.com/google/ko v0.18.0"
  "golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint v2.10.1"
)

for entry in "${GO_TOOLS[@]}"; do
  read -r name module version <<<"$entry"
  stamp="$GOBIN/.kayci-$name-$version"
  if [ -x "$GOBIN/$name" ] && [ -f "$stamp" ]; then
    echo "have $name $version"
    continue
  fi
  start=$(date +%s)
  go install "$module@$version"
  touch "$stamp"
  echo "installed $name $version in $(( $(date +%s) - start ))s"
done

APT_PACKAGES=()
command -v cmake >/dev/null || APT_PACKAGES+=(cmake)
command -v cppcheck >/dev/null || APT_PACKAGES+=(cppcheck)
command -v clang-tidy >/dev/null || APT_PACKAGES+=(clang-tidy)
command -v gcovr >/dev/null || APT_PACKAGES+=(gcovr)
if [ ${#APT_PACKAGES[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}"
  echo "installed ${APT_PACKAGES[*]}"
else
  echo "have cmake cppcheck clang-tidy gcovr"
fi
