#!/usr/bin/env bash
# Builds the control plane's binaries into the cache (see lib.sh) unless they are there already:
# etcd, kube-apiserver, kube-controller-manager and kube-scheduler from the tools module in
# bins/, and kwok with `go install`. Everything comes from the Go module registry; the build runs
# at the lowest CPU priority. Prints the bin directory.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [ -f "$BIN_DIR/.complete" ]; then
  log "binaries cached in $BIN_DIR"
  echo "$BIN_DIR"
  exit 0
fi

export GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false -trimpath"
tmp="$BIN_DIR.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"
start=$(date +%s)

# The version the servers report (/version, the emulation version), as Kubernetes' own build
# sets it (hack/lib/version.sh); the build date is the release's, so the binaries are reproducible.
minor=${K8S_VERSION#v1.}
minor=${minor%%.*}
released=$(cd "$CLUSTER_SRC/bins" && go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$released"
done

log "building kube-apiserver, kube-controller-manager, kube-scheduler $K8S_VERSION and etcd $ETCD_VERSION (cold: tens of minutes)"
(
  cd "$CLUSTER_SRC/bins"
  nice -n 19 go build -ldflags "$ldflags" -o "$tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler \
    ./etcd
)
log "building kwok $KWOK_VERSION"
(
  cd "$tmp"
  GOFLAGS="-buildvcs=false -trimpath" GOBIN="$tmp" nice -n 19 go install -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
)

"$tmp/kube-apiserver" --version >&2
"$tmp/etcd" --version | head -1 >&2
touch "$tmp/.complete"
rm -rf "$BIN_DIR"
mv "$tmp" "$BIN_DIR"
log "built in $(($(date +%s) - start))s into $BIN_DIR"
echo "$BIN_DIR"
