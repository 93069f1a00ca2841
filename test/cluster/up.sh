#!/usr/bin/env bash
# Starts a real Kubernetes control plane on loopback for the cluster tests: etcd, kube-apiserver,
# kube-controller-manager (Job, garbage collector, namespace, service account and volume
# protection controllers), kube-scheduler and kwok with one fake Node whose pods do what their
# annotations say (kwok.yaml). Builds the binaries first unless they are cached (build.sh).
#
#   test/cluster/up.sh [--owner-pid PID]    prints KEY=value lines: KUBECONFIG, KAYCI_CLUSTER_DIR, …
#   test/cluster/down.sh DIR                stops everything and removes DIR
#
# Every component runs in its own process group, its pid in DIR/pids; down.sh stops the groups.
# When startup fails, what was started is stopped again (and the logs' last lines printed). With
# --owner-pid, a watchdog runs down.sh once that process is gone, so a test runner killed hard
# leaves nothing behind. KAYCI_CLUSTER_DIR picks the directory (default: a new one in $TMPDIR).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"

owner=""
while [ $# -gt 0 ]; do
  case "$1" in
    --owner-pid) owner="$2"; shift 2 ;;
    *) echo "usage: $0 [--owner-pid PID]" >&2; exit 2 ;;
  esac
done

for tool in go node openssl curl setsid; do
  command -v "$tool" >/dev/null || { log "needs $tool on PATH"; exit 1; }
done
bin=$("$here/build.sh")
dir="${KAYCI_CLUSTER_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kayci-cluster.XXXXXX")}"
mkdir -p "$dir/pids" "$dir/logs" "$dir/pki" "$dir/etcd"
started=0
on_exit() {
  local rc=$?
  if [ "$started" != 1 ]; then
    log "startup failed (exit $rc); logs of $dir:"
    for f in "$dir"/logs/*.log; do
      [ -f "$f" ] || continue
      echo "--- $(basename "$f") (last 15 lines)" >&2
      tail -n 15 "$f" >&2
    done
    "$here/down.sh" "$dir" >&2 || true
  fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# Free loopback ports, all chosen while every one is held, so they differ.
read -r etcd_port peer_port api_port cm_port sched_port < <(node -e '
  const net = require("node:net");
  const servers = Array.from({ length: 5 }, () => net.createServer());
  Promise.all(servers.map((s) => new Promise((r) => s.listen(0, "127.0.0.1", r)))).then(() => {
    console.log(servers.map((s) => s.address().port).join(" "));
    servers.forEach((s) => s.close());
  });')

# Start a component in its own process group (setsid), output to logs/<name>.log.
start() {
  local name="$1"
  shift
  setsid "$@" >"$dir/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/pids/$name"
}

# Poll until the command succeeds, failing when the component died or after $2 seconds.
wait_for() {
  local name="$1" seconds="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ -f "$dir/pids/$name" ] && ! kill -0 "$(cat "$dir/pids/$name")" 2>/dev/null; then
      log "$name exited"
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      log "$name not ready after ${seconds}s"
      return 1
    fi
    sleep 0.2
  done
}

# Credentials: a CA and the API server's serving certificate, the service-account signing key,
# and a static token per client (the admin and kwok in system:masters; the controller manager
# and the scheduler as the users their bootstrap RBAC roles are bound to).
pki="$dir/pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kayci-cluster-ca" \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
  -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' >"$pki/apiserver.ext"
openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
  -days 2 -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt" 2>/dev/null
openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null

token() { openssl rand -hex 24; }
admin_token=$(token)
kwok_token=$(token)
cm_token=$(token)
sched_token=$(token)
cat >"$pki/tokens.csv" <<EOF
$admin_token,kayci-admin,kayci-admin,"system:masters"
$kwok_token,kwok,kwok,"system:masters"
$cm_token,system:kube-controller-manager,system:kube-controller-manager
$sched_token,system:kube-scheduler,system:kube-scheduler
EOF
chmod 600 "$pki"/*.key "$pki/tokens.csv"

server="https://127.0.0.1:$api_port"
ca_data=$(base64 -w0 <"$pki/ca.crt")
kubeconfig() {
  cat >"$dir/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kayci
  cluster:
    server: $server
    certificate-authority-data: $ca_data
users:
- name: $1
  user:
    token: $2
contexts:
- name: kayci
  context:
    cluster: kayci
    user: $1
    namespace: default
current-context: kayci
EOF
  chmod 600 "$dir/$1.kubeconfig"
}
kubeconfig admin "$admin_token"
kubeconfig kwok "$kwok_token"
kubeconfig controller-manager "$cm_token"
kubeconfig scheduler "$sched_token"

log "etcd on 127.0.0.1:$etcd_port"
start etcd "$bin/etcd" \
  --name=kayci --data-dir="$dir/etcd" --unsafe-no-fsync --log-level=warn \
  --listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
  --listen-peer-urls="http://127.0.0.1:$peer_port" --initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
  --initial-cluster="kayci=http://127.0.0.1:$peer_port"
wait_for etcd 60 curl -sf "http://127.0.0.1:$etcd_port/health"

log "kube-apiserver on $server"
start kube-apiserver "$bin/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$etcd_port" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
  --cert-dir="$pki" --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
  --token-auth-file="$pki/tokens.csv" \
  --authorization-mode=Node,RBAC \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
  --service-cluster-ip-range=10.96.0.0/16 \
  --endpoint-reconciler-type=none --allow-privileged=true --profiling=false
api() { curl -sf --cacert "$pki/ca.crt" -H "Authorization: Bearer $admin_token" "$@"; }
wait_for kube-apiserver 120 api "$server/readyz"

log "kube-controller-manager, kube-scheduler, kwok"
controllers=(
  job-controller
  garbage-collector-controller
  namespace-controller
  serviceaccount-controller
  persistentvolumeclaim-protection-controller
  persistentvolume-protection-controller
)
start kube-controller-manager "$bin/kube-controller-manager" \
  --kubeconfig="$dir/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$cm_port" --cert-dir="$dir/pki/controller-manager" \
  --leader-elect=false --use-service-account-credentials=true \
  --controllers="$(IFS=,; echo "${controllers[*]}")" \
  --profiling=false
start kube-scheduler "$bin/kube-scheduler" \
  --kubeconfig="$dir/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$sched_port" --cert-dir="$dir/pki/scheduler" \
  --leader-elect=false --profiling=false
start kwok "$bin/kwok" --kubeconfig="$dir/kwok.kubeconfig" --config="$here/kwok.yaml" \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake --node-lease-duration-seconds=40

# The fake Node (kwok makes it Ready) and the default StorageClass kwok provisions claims of.
api -X POST -H 'Content-Type: application/json' "$server/api/v1/nodes" -d '{
  "apiVersion": "v1", "kind": "Node",
  "metadata": {
    "name": "kwok-node-0",
    "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
    "labels": {"kubernetes.io/hostname": "kwok-node-0", "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "type": "kwok"}
  }
}' >/dev/null
api -X POST -H 'Content-Type: application/json' "$server/apis/storage.k8s.io/v1/storageclasses" -d '{
  "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
  "metadata": {"name": "kwok-volume", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
  "provisioner": "kwok.x-k8s.io/volume", "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"
}' >/dev/null

healthz() { curl -sfk "https://127.0.0.1:$1/healthz"; }
node_ready() { api "$server/api/v1/nodes/kwok-node-0" | tr -d ' \n' | grep -q '"type":"Ready","status":"True"'; }
wait_for kube-controller-manager 60 healthz "$cm_port"
wait_for kube-scheduler 60 healthz "$sched_port"
wait_for kwok 60 node_ready
# The API server taints a new Node not-ready; the node lifecycle controller, which is not run here
# (no kubelets to watch), would lift the taint once the Node is Ready, as kwok made it.
api -X PATCH -H 'Content-Type: application/merge-patch+json' "$server/api/v1/nodes/kwok-node-0" -d '{"spec":{"taints":null}}' >/dev/null
# The service account controller made the default namespace's account: pods can be admitted.
wait_for kube-controller-manager 60 api "$server/api/v1/namespaces/default/serviceaccounts/default"

if [ -n "$owner" ]; then
  setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec "$2" "$3"' watchdog "$owner" "$here/down.sh" "$dir" \
    >>"$dir/logs/watchdog.log" 2>&1 </dev/null &
  echo $! >"$dir/pids/watchdog"
fi

cat >"$dir/env" <<EOF
KUBECONFIG=$dir/admin.kubeconfig
KAYCI_CLUSTER_DIR=$dir
KAYCI_CLUSTER_SERVER=$server
KAYCI_CLUSTER_VERSION=$K8S_VERSION
KAYCI_CLUSTER_BIN=$bin
EOF
started=1
log "up: $server (kubeconfig $dir/admin.kubeconfig; stop with test/cluster/down.sh $dir)"
cat "$dir/env"
