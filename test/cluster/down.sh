#!/usr/bin/env bash
# Stops a control plane that up.sh started and removes its directory: each component's process
# group gets SIGTERM, then SIGKILL after 10 seconds. Safe to run twice, or on a half-started one.
# KAYCI_CLUSTER_KEEP=1 keeps the directory (logs, kubeconfigs) for a look afterwards.
set -uo pipefail
dir="${1:?usage: down.sh DIR (the KAYCI_CLUSTER_DIR up.sh printed)}"
[ -d "$dir/pids" ] || exit 0

alive() { kill -0 -- "-$1" 2>/dev/null; }

# Stops these components' process groups together, and waits for them.
stop() {
  local name pid pids=() names=()
  for name in "$@"; do
    [ -f "$dir/pids/$name" ] || continue
    pid=$(cat "$dir/pids/$name")
    rm -f "$dir/pids/$name"
    # The watchdog runs this script itself when its owner is gone: do not stop ourselves.
    [ "$pid" = "$$" ] && continue
    alive "$pid" || continue
    kill -TERM -- "-$pid" 2>/dev/null
    pids+=("$pid")
    names+=("$name")
  done
  local i
  for _ in $(seq 100); do
    local running=0
    for pid in "${pids[@]}"; do alive "$pid" && running=1; done
    [ $running = 0 ] && return
    sleep 0.1
  done
  for i in "${!pids[@]}"; do
    if alive "${pids[$i]}"; then
      echo "[kayci-cluster] ${names[$i]} did not stop in 10s; killing it" >&2
      kill -KILL -- "-${pids[$i]}" 2>/dev/null
    fi
  done
}

# Everything that talks to etcd first (the components, and kayci controllers a test run left,
# which register themselves as pids/kayci-controller-<pid>), etcd last.
mapfile -t first < <(cd "$dir/pids" && ls | grep -vx etcd)
stop "${first[@]}"
stop etcd

if [ "${KAYCI_CLUSTER_KEEP:-}" = 1 ]; then
  echo "[kayci-cluster] stopped; kept $dir" >&2
else
  rm -rf "$dir"
  echo "[kayci-cluster] stopped; removed $dir" >&2
fi
