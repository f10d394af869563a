#!/usr/bin/env bash
# k8s-up.sh <workdir> - start a Kubernetes control plane for e2e tests: etcd,
# kube-apiserver, kube-controller-manager (every controller a cluster runs,
# garbage collector, Deployment, ReplicaSet, Job and CronJob included) and
# kube-scheduler, all on loopback, leader election off. No nodes: the test bed's
# local node (e2e/.../node) registers itself and runs the Pods bound to it.
# No Docker, no root needed.
#
#   KUBECONFIG=$(e2e/bin/k8s-up.sh /tmp/tb)   # last stdout line = kubeconfig path
#   kubectl --kubeconfig /tmp/tb/kubeconfig get ns
#   e2e/bin/k8s-down.sh /tmp/tb               # stop everything
#
# Binaries: $K8S_BIN if set, else the directory printed by provision-k8s.sh.
# Ports: free loopback ports are picked below the ephemeral range; override with
#   K8S_ETCD_CLIENT_PORT / K8S_ETCD_PEER_PORT / K8S_APISERVER_PORT /
#   K8S_CONTROLLER_MANAGER_PORT / K8S_SCHEDULER_PORT (health ports; not ETCD_*:
#   etcd itself interprets ETCD_* environment variables, so those are removed
#   from etcd's environment).
#
# Everything lives in <workdir> (data is wiped on every start):
#   etcd/                etcd data dir          pki/          serving certs (self-signed,
#   etcd.pid etcd.log    etcd process                         written by kube-apiserver),
#   kube-apiserver.pid   kube-apiserver process               sa.key / sa.pub (service-account
#   kube-apiserver.log                                        signing key pair, shared by the
#   kube-controller-manager.pid / .log                        API server and the controller-
#   kube-scheduler.pid / .log                                 manager), ca.crt / ca.key (the
#   kubeconfig           admin kubeconfig                     cluster signing CA for CSRs)
#   token.csv            static token file      env           sourceable: ports, token, ...
#
# Processes run in their own session (setsid) with the PID also being the
# process-group id, so k8s-down.sh can stop each group by id.
set -euo pipefail

log() { printf '[k8s-up] %s\n' "$*" >&2; }
die() { printf '[k8s-up] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 1 && -n "$1" ]] || die "usage: $0 <workdir>"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
mkdir -p "$1"
W="$(cd "$1" && pwd -P)"

# One k8s-up per workdir at a time (fd 9 is closed for the started servers).
exec 9>"$W/.k8s-up.lock"
flock -n 9 || die "another k8s-up.sh is starting in $W"
for name in etcd kube-apiserver kube-controller-manager kube-scheduler; do
  if [[ -f "$W/$name.pid" ]] && kill -0 "$(cat "$W/$name.pid")" 2>/dev/null; then
    die "$name already running from $W (pid $(cat "$W/$name.pid")); run k8s-down.sh $W first"
  fi
done

if [[ -n "${K8S_BIN:-}" ]]; then
  BIN="$K8S_BIN"
else
  BIN="$("$HERE/provision-k8s.sh" | tail -n1)"
fi
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  [[ -x "$BIN/$b" ]] || die "$BIN/$b missing (set K8S_BIN or run provision-k8s.sh)"
done

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
port_in_use() { # something accepts connections on 127.0.0.1:<port>, or a socket LISTENs on it
  (exec 8<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
    awk -v p="$(printf '%04X' "$1")" '$4 == "0A" { split($2, a, ":"); if (a[2] == p) f = 1 } END { exit !f }'
}
PICKED=" "
free_port() { # random port in [20000, 32000): below Linux' ephemeral range (32768+)
  local p i
  for ((i = 0; i < 500; i++)); do
    p=$((20000 + RANDOM % 12000))
    [[ "$PICKED" == *" $p "* ]] && continue
    port_in_use "$p" && continue
    PICKED+="$p "
    echo "$p"
    return 0
  done
  die "no free port found"
}
start_bg() { # start_bg <name> <cmd...>: detached, own session, logs to <W>/<name>.log
  local name="$1"; shift
  setsid "$@" </dev/null >"$W/$name.log" 2>&1 9>&- &
  echo $! >"$W/$name.pid"
  log "$name started, pid $(cat "$W/$name.pid"), log $W/$name.log"
}
alive() { kill -0 "$(cat "$W/$1.pid")" 2>/dev/null; }
fail_with_log() { # fail_with_log <name> <message>  (the EXIT trap then stops everything)
  log "---- last lines of $W/$1.log ----"
  tail -n 40 "$W/$1.log" >&2 || true
  die "$2"
}
# On any failure after this point, stop whatever was started.
# shellcheck disable=SC2154  # rc is assigned inside the trap string
trap 'rc=$?; if ((rc != 0)); then "$HERE/k8s-down.sh" "$W" >&2 || true; fi; exit $rc' EXIT

USER_ETCD_PORTS="${K8S_ETCD_CLIENT_PORT:-}${K8S_ETCD_PEER_PORT:-}"   # user-given ports are never changed
USER_APISERVER_PORT="${K8S_APISERVER_PORT:-}"
ETCD_CLIENT_PORT="${K8S_ETCD_CLIENT_PORT:-$(free_port)}"; PICKED+="$ETCD_CLIENT_PORT "
ETCD_PEER_PORT="${K8S_ETCD_PEER_PORT:-$(free_port)}";     PICKED+="$ETCD_PEER_PORT "
APISERVER_PORT="${K8S_APISERVER_PORT:-$(free_port)}";     PICKED+="$APISERVER_PORT "
KCM_PORT="${K8S_CONTROLLER_MANAGER_PORT:-$(free_port)}";  PICKED+="$KCM_PORT "
SCHEDULER_PORT="${K8S_SCHEDULER_PORT:-$(free_port)}";     PICKED+="$SCHEDULER_PORT "

# ---------------------------------------------------------------------------
# fresh state
# ---------------------------------------------------------------------------
rm -rf "$W/etcd" "$W/pki" "$W/kubeconfig" "$W/token.csv" "$W/env" "$W"/*.log "$W"/*.pid
mkdir -p "$W/pki"
chmod 0700 "$W/pki"

# Service-account token signing key pair (RSA 2048, PEM).
openssl genrsa -out "$W/pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$W/pki/sa.key" -pubout -out "$W/pki/sa.pub" 2>/dev/null
# The cluster signing CA the controller-manager issues CSR certificates with.
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=insighthub-e2e-ca" \
  -keyout "$W/pki/ca.key" -out "$W/pki/ca.crt" 2>/dev/null

# Static bearer token for the admin user; group system:masters = cluster-admin
# (bypasses RBAC authorization). Format: token,user,uid,"group1,group2"
TOKEN="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s,insighthub-admin,insighthub-admin,"system:masters"\n' "$TOKEN" >"$W/token.csv"
chmod 0600 "$W/token.csv"

# ---------------------------------------------------------------------------
# etcd (single member, plain http on loopback)
# ---------------------------------------------------------------------------
set_etcd_args() {
  ETCD_ARGS=(
    --name=e2e                                                   # member name (must match --initial-cluster)
    --data-dir="$W/etcd"                                         # wiped on every start
    --listen-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT"    # kube-apiserver connects here
    --advertise-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT"
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT"        # unused by a 1-member cluster, but must not clash
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT"
    --initial-cluster="e2e=http://127.0.0.1:$ETCD_PEER_PORT"
    --initial-cluster-state=new
    --unsafe-no-fsync=true                                       # test bed only: no fsync -> much faster
    --log-level=warn
  )
}
etcd_healthy() { # GET /health on the client port -> {"health":"true",...}
  # shellcheck disable=SC2016  # $1 is expanded by the inner bash
  timeout 2 bash -c 'exec 7<>"/dev/tcp/127.0.0.1/$1" && printf "GET /health HTTP/1.0\r\n\r\n" >&7 && cat <&7' \
    _ "$ETCD_CLIENT_PORT" 2>/dev/null | grep -q '"health":"true"'
}

# A port picked above can be taken by someone else before we bind it: if a
# process dies with "address already in use", pick new (non user-given) ports
# and try again (3 attempts).
for attempt in 1 2 3; do
  rm -rf "$W/etcd"
  set_etcd_args
  # etcd reads ETCD_<FLAG> variables as flags: start it without any of them.
  mapfile -t etcd_env_unset < <(compgen -e | grep '^ETCD_' | sed 's/^/--unset=/' || true)
  start_bg etcd env "${etcd_env_unset[@]}" "$BIN/etcd" "${ETCD_ARGS[@]}"
  for ((i = 0; i < 300; i++)); do                                # up to 30 s
    alive etcd || break
    etcd_healthy && break
    sleep 0.1
  done
  if alive etcd && etcd_healthy; then break; fi
  if ! alive etcd && ((attempt < 3)) && [[ -z "$USER_ETCD_PORTS" ]] &&
    grep -q 'address already in use' "$W/etcd.log"; then
    ETCD_CLIENT_PORT="$(free_port)"; PICKED+="$ETCD_CLIENT_PORT "
    ETCD_PEER_PORT="$(free_port)";   PICKED+="$ETCD_PEER_PORT "
    log "port clash - retrying etcd on $ETCD_CLIENT_PORT/$ETCD_PEER_PORT"
    continue
  fi
  alive etcd || fail_with_log etcd "etcd exited during startup"
  fail_with_log etcd "etcd not healthy on port $ETCD_CLIENT_PORT after 30 s"
done
log "etcd healthy on http://127.0.0.1:$ETCD_CLIENT_PORT"

# ---------------------------------------------------------------------------
# kube-apiserver
# ---------------------------------------------------------------------------
set_apiserver_args() {
  APISERVER_ARGS=(
    --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT"          # the etcd above
    --bind-address=127.0.0.1                                     # loopback only
    --advertise-address=127.0.0.1                                # IP of the 'kubernetes' Service endpoint
    --secure-port="$APISERVER_PORT"                              # HTTPS only (no insecure port since 1.20)
    --cert-dir="$W/pki"                                          # self-signed serving cert apiserver.crt/.key generated here
    --service-account-issuer=https://kubernetes.default.svc.cluster.local
    --service-account-key-file="$W/pki/sa.pub"                   # verifies SA tokens
    --service-account-signing-key-file="$W/pki/sa.key"           # signs SA tokens (TokenRequest API)
    --service-cluster-ip-range=10.0.0.0/24                       # ClusterIPs for Services
    --token-auth-file="$W/token.csv"                             # static admin bearer token (system:masters)
    --authorization-mode=RBAC                                    # real RBAC; system:masters is superuser
    --allow-privileged=true                                      # accept privileged pod specs
    --disable-admission-plugins=ServiceAccount                   # no token volumes injected: the local node
                                                                 # runs processes, not in-cluster clients
    --profiling=false
  )
}
write_kubeconfig() { # token auth; self-signed serving cert -> insecure-skip-tls-verify
  cat >"$W/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: insighthub-e2e
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    insecure-skip-tls-verify: true
users:
- name: insighthub-admin
  user:
    token: $TOKEN
contexts:
- name: insighthub-e2e
  context:
    cluster: insighthub-e2e
    user: insighthub-admin
    namespace: default
current-context: insighthub-e2e
EOF
  chmod 0600 "$W/kubeconfig"
}
apiserver_ready() {
  "$BIN/kubectl" --kubeconfig "$W/kubeconfig" --request-timeout=2s get --raw=/readyz >/dev/null 2>&1
}

for attempt in 1 2 3; do
  set_apiserver_args
  write_kubeconfig
  start_bg kube-apiserver "$BIN/kube-apiserver" "${APISERVER_ARGS[@]}"
  for ((i = 0; i < 240; i++)); do                                # up to ~120 s
    alive kube-apiserver || break
    apiserver_ready && break
    sleep 0.5
  done
  if alive kube-apiserver && apiserver_ready; then break; fi
  if ! alive kube-apiserver && ((attempt < 3)) && [[ -z "$USER_APISERVER_PORT" ]] &&
    grep -q 'address already in use' "$W/kube-apiserver.log"; then
    APISERVER_PORT="$(free_port)"; PICKED+="$APISERVER_PORT "
    log "port clash - retrying kube-apiserver on $APISERVER_PORT"
    continue
  fi
  alive kube-apiserver || fail_with_log kube-apiserver "kube-apiserver exited during startup"
  fail_with_log kube-apiserver "kube-apiserver not ready after 120 s"
done
log "kube-apiserver ready on https://127.0.0.1:$APISERVER_PORT ($("$BIN/kube-apiserver" --version))"

# ---------------------------------------------------------------------------
# kube-controller-manager and kube-scheduler (admin kubeconfig, loopback only)
# ---------------------------------------------------------------------------
component_healthy() { # component_healthy <port>: GET /healthz (always allowed, anonymous)
  "$BIN/kubectl" --kubeconfig "$W/kubeconfig" --server "https://127.0.0.1:$1" \
    --request-timeout=2s get --raw=/healthz >/dev/null 2>&1
}
start_component() { # start_component <name> <port-var> <user-given-port> <args...>
  local name="$1" port_var="$2" user_port="$3" attempt i; shift 3
  for attempt in 1 2 3; do
    start_bg "$name" "$BIN/$name" --secure-port="${!port_var}" "$@"
    for ((i = 0; i < 240; i++)); do                              # up to ~120 s
      alive "$name" || break
      component_healthy "${!port_var}" && break
      sleep 0.5
    done
    if alive "$name" && component_healthy "${!port_var}"; then return 0; fi
    if ! alive "$name" && ((attempt < 3)) && [[ -z "$user_port" ]] &&
      grep -q 'address already in use' "$W/$name.log"; then
      printf -v "$port_var" '%s' "$(free_port)"; PICKED+="${!port_var} "
      log "port clash - retrying $name on ${!port_var}"
      continue
    fi
    alive "$name" || fail_with_log "$name" "$name exited during startup"
    fail_with_log "$name" "$name not healthy after 120 s"
  done
}

KCM_ARGS=(
  --kubeconfig="$W/kubeconfig"                                 # the admin user (system:masters)
  --bind-address=127.0.0.1                                     # loopback only
  --cert-dir="$W/pki/kube-controller-manager"                  # its self-signed serving cert
  --authentication-skip-lookup=true                            # no delegated authn: /healthz is anonymous
  --leader-elect=false                                         # one instance
  --controllers='*,bootstrap-signer-controller,token-cleaner-controller'  # all, as kubeadm enables them
  --use-service-account-credentials=false                      # every controller as the admin user
  --service-account-private-key-file="$W/pki/sa.key"           # the API server's signing key
  --root-ca-file="$W/pki/apiserver.crt"                        # published as kube-root-ca.crt
  --cluster-signing-cert-file="$W/pki/ca.crt"                  # CSR signing
  --cluster-signing-key-file="$W/pki/ca.key"
  --profiling=false
)
start_component kube-controller-manager KCM_PORT "${K8S_CONTROLLER_MANAGER_PORT:-}" "${KCM_ARGS[@]}"
log "kube-controller-manager healthy on https://127.0.0.1:$KCM_PORT"

SCHEDULER_ARGS=(
  --kubeconfig="$W/kubeconfig"
  --bind-address=127.0.0.1
  --cert-dir="$W/pki/kube-scheduler"
  --authentication-skip-lookup=true
  --leader-elect=false
  --profiling=false
)
start_component kube-scheduler SCHEDULER_PORT "${K8S_SCHEDULER_PORT:-}" "${SCHEDULER_ARGS[@]}"
log "kube-scheduler healthy on https://127.0.0.1:$SCHEDULER_PORT"

cat >"$W/env" <<EOF
# source me
K8S_BIN='$BIN'
KUBECONFIG='$W/kubeconfig'
K8S_API_URL='https://127.0.0.1:$APISERVER_PORT'
K8S_TOKEN='$TOKEN'
K8S_ETCD_URL='http://127.0.0.1:$ETCD_CLIENT_PORT'
K8S_ETCD_CLIENT_PORT=$ETCD_CLIENT_PORT
K8S_ETCD_PEER_PORT=$ETCD_PEER_PORT
K8S_APISERVER_PORT=$APISERVER_PORT
K8S_CONTROLLER_MANAGER_PORT=$KCM_PORT
K8S_SCHEDULER_PORT=$SCHEDULER_PORT
EOF
chmod 0600 "$W/env"

echo "$W/kubeconfig"
