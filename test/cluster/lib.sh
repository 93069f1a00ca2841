# Shared by up.sh, down.sh and build.sh: pinned versions and where the binaries are cached.
# Sourced, not run.

# Bump together with test/cluster/bins/go.mod (k8s.io/kubernetes and its staging replaces).
K8S_VERSION=v1.34.10
# The version k8s.io/kubernetes v1.34.10 itself requires (go.etcd.io/etcd/server/v3 in go.mod).
ETCD_VERSION=v3.6.4
KWOK_VERSION=v0.8.0

CLUSTER_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${KAYCI_CLUSTER_CACHE:-$HOME/.cache/kayci-cluster}"

# The cache key: the versions, plus a hash of everything the binaries are built from (the tools
# module, the Go toolchain), so an edit rebuilds and an unchanged checkout reuses the binaries.
cache_key() {
  local sum
  sum=$(
    {
      echo "$K8S_VERSION $ETCD_VERSION $KWOK_VERSION"
      GOTOOLCHAIN=local go env GOVERSION GOARCH GOOS
      cat "$CLUSTER_SRC/bins/go.mod" "$CLUSTER_SRC/bins/go.sum" "$CLUSTER_SRC/bins/etcd/main.go" "$CLUSTER_SRC/build.sh"
    } | sha256sum | cut -c1-12
  )
  echo "k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION-$sum"
}

BIN_DIR="$CACHE_ROOT/$(cache_key)/bin"

log() { echo "[kayci-cluster] $*" >&2; }
