#!/usr/bin/env bash
# Stops a control plane that up.sh started and removes its directory: each component's process
# group gets SIGTERM, then SIGKILL after 10 seconds. Safe to run twice, or on a half-started one.
# KAYCI_CLUSTER_KEEP=1 keeps the directory (logs, kubeconfigs) for a look afterwards.
set -uo pipefail
dir="${1:?usage: down.sh DIR (the KAYCI_CLUSTER_DIR up.sh printed)}"
[ -d "$dir/pids" ] || exit 0

# Newest first: kwok and the controllers before the API server, etcd last.
order=(watchdog kwok kube-scheduler kube-controller-manager kube-apiserver etcd)
alive() { kill -0 -- "-$1" 2>/dev/null; }
for name in "${order[@]}"; do
  f="$dir/pids/$name"
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  # The watchdog runs this script itself when its owner is gone: do not stop ourselves.
  if [ "$pid" = "$$" ]; then rm -f "$f"; continue; fi
  if alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      echo "[kayci-cluster] $name did not stop in 10s; killing it" >&2
      kill -KILL -- "-$pid" 2>/dev/null
    fi
  fi
  rm -f "$f"
done

if [ "${KAYCI_CLUSTER_KEEP:-}" = 1 ]; then
  echo "[kayci-cluster] stopped; kept $dir" >&2
else
  rm -rf "$dir"
  echo "[kayci-cluster] stopped; removed $dir" >&2
fi
