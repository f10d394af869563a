#!/usr/bin/env bash
# k8s-down.sh <workdir> - stop the kube-scheduler, kube-controller-manager,
# kube-apiserver and etcd started by k8s-up.sh <workdir>. Only the PIDs recorded in <workdir>/*.pid are signalled
# (each is its own process-group leader, started via setsid), and only if the
# process' command line still references <workdir> (guards against PID reuse).
# SIGTERM first, SIGKILL after 15 s. Data and logs in <workdir> are kept.
# Idempotent: exits 0 if nothing is running.
set -euo pipefail

log() { printf '[k8s-down] %s\n' "$*" >&2; }

[[ $# -eq 1 && -n "$1" ]] || { log "usage: $0 <workdir>"; exit 2; }
[[ -d "$1" ]] || { log "no such workdir $1 - nothing to stop"; exit 0; }
W="$(cd "$1" && pwd -P)"

ours() { # ours <pid>: alive and started for this workdir
  kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$W/"
}

rc=0
for name in kube-scheduler kube-controller-manager kube-apiserver etcd; do   # clients first, storage last
  pidfile="$W/$name.pid"
  [[ -f "$pidfile" ]] || continue
  pid="$(cat "$pidfile")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && ours "$pid"; then
    log "stopping $name (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do ours "$pid" || break; sleep 0.1; done
    if ours "$pid"; then
      log "$name (pid $pid) ignored SIGTERM - sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do ours "$pid" || break; sleep 0.1; done
    fi
    if ours "$pid"; then
      log "ERROR: $name (pid $pid) is still running"
      rc=1
      continue
    fi
  fi
  rm -f "$pidfile"
done
exit "$rc"
