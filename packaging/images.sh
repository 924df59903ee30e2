#!/usr/bin/env bash
# Build and run the connector images with podman, on machines without a Docker engine or Docker Hub.
#
#   packaging/images.sh install       apt-get install podman & co. when missing (root; idempotent, quiet)
#   packaging/images.sh base          debootstrap a Debian bookworm Python base, import it as $LOCAL_BASE (cached)
#   packaging/images.sh build [source|destination|webhooks|all]   build $NAMESPACE/<connector>-ghl-contacts (and
#                                     $NAMESPACE/ghl-webhooks, the webhook receiver):<version> and :dev
#   packaging/images.sh push REGISTRY [source|destination|all]   push both tags to REGISTRY/$NAMESPACE/...
#   packaging/images.sh names         print each connector's image name and tags
#   packaging/images.sh podman ARGS   run podman with this project's storage and settings
#   packaging/images.sh docker ARGS   the same for a docker command line (what packaging/bin/docker runs)
#   packaging/images.sh env           print the exports that point podman at this project's storage
#   packaging/images.sh available     exit 0 when podman can run containers here (used by the tests)
#   packaging/images.sh clean         remove this project's images and container storage
#
# Images are named $GHL_IMAGE_NAMESPACE/<connector>-ghl-contacts (default namespace: ghl-contacts-connectors,
# the dockerRepository of both metadata.yaml files) and tagged with the connector's dockerImageTag and `dev`.
# The engine is podman when it is installed, else docker when a Docker engine answers (GHL_ENGINE overrides).
# Nothing here changes the machine's podman defaults: podman's settings and storage live in $GHL_IMAGES_DIR
# (default build/containers, git-ignored); the debootstrapped base is kept as a tarball in $GHL_IMAGES_CACHE
# (default ~/.cache/ghl-contacts-images), so a fresh clone on the same machine skips debootstrap. Builds reach
# the package index with the host's CA bundle mounted in. docs/images.md has the details.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${GHL_IMAGES_DIR:-$ROOT/build/containers}"
CACHE="${GHL_IMAGES_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/ghl-contacts-images}"
NAMESPACE="${GHL_IMAGE_NAMESPACE:-ghl-contacts-connectors}"
CONNECTORS=(source destination)
# Built and pushed with the connectors, but not an Airbyte connector (no metadata.yaml): `names` leaves it out.
EXTRA_IMAGES=(webhooks)
LOCAL_BASE="localhost/ghl-python-base:bookworm"
BASE_IMAGE="${GHL_BASE_IMAGE:-$LOCAL_BASE}"
CA_BUNDLE="${GHL_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
DEBIAN_SUITE="bookworm"
BASE_PACKAGES="python3,python3-venv,python3-pip,ca-certificates"
# docker-registry (Debian's build of the CNCF distribution registry) is what the push test pushes to.
APT_PACKAGES=(podman buildah skopeo debootstrap runc uidmap fuse-overlayfs docker-registry)
APT_COMMANDS=(podman buildah skopeo debootstrap runc newuidmap fuse-overlayfs docker-registry)

log() { printf '[images] %s\n' "$*" >&2; }
die() { printf '[images] error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "'$*' needs root: run it as root or install sudo"
  fi
}

# -- podman settings ----------------------------------------------------------------------------------
# runc, not crun (crun fails on these hosts), and explicit ulimits (without them every run fails with
# "setrlimit RLIMIT_NOFILE: Operation not permitted"). Storage is the native overlay driver (vfs copies the
# whole image on every run).
write_podman_conf() {
  mkdir -p "$STATE/storage" "$STATE/run" "$STATE/tmp"
  cat >"$STATE/containers.conf.new" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$STATE/tmp"
EOF
  cat >"$STATE/storage.conf.new" <<EOF
[storage]
driver = "overlay"
graphroot = "$STATE/storage"
runroot = "$STATE/run"
EOF
  mv -f "$STATE/containers.conf.new" "$STATE/containers.conf"
  mv -f "$STATE/storage.conf.new" "$STATE/storage.conf"
}

podman_env() {
  if [ ! -f "$STATE/containers.conf" ] || [ ! -f "$STATE/storage.conf" ]; then write_podman_conf; fi
  export CONTAINERS_CONF="$STATE/containers.conf"
  export CONTAINERS_STORAGE_CONF="$STATE/storage.conf"
}

pm() { podman_env; podman "$@"; }

image_exists() { pm image exists "$1"; }

# -- engine and names ---------------------------------------------------------------------------------
engine() {
  case "${GHL_ENGINE:-auto}" in
    podman|docker) echo "$GHL_ENGINE" ;;
    auto)
      if command -v podman >/dev/null 2>&1; then echo podman
      elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then echo docker
      else echo podman
      fi ;;
    *) die "GHL_ENGINE must be podman, docker or auto, got '$GHL_ENGINE'" ;;
  esac
}

# The container engine with this project's settings: podman (own storage) or the machine's docker.
ce() { if [ "$(engine)" = docker ]; then docker "$@"; else pm "$@"; fi; }

metadata_file() { if [ "$1" = source ]; then echo "$ROOT/metadata.yaml"; else echo "$ROOT/destination_ghl_contacts/metadata.yaml"; fi; }

# The connector's version: dockerImageTag in its metadata.yaml (a unit test keeps it equal to pyproject's).
version_of() {
  local tag
  if [ "$1" = webhooks ]; then  # the project's version (pyproject.toml)
    sed -n 's/^version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$ROOT/pyproject.toml" | head -1
    return
  fi
  tag="$(sed -n 's/^[[:space:]]*dockerImageTag:[[:space:]]*\([^[:space:]#]*\).*/\1/p' "$(metadata_file "$1")")"
  [ -n "$tag" ] || die "no dockerImageTag in $(metadata_file "$1")"
  echo "$tag"
}

repository_of() { if [ "$1" = webhooks ]; then echo "$NAMESPACE/ghl-webhooks"; else echo "$NAMESPACE/$1-ghl-contacts"; fi; }
tags_of() { printf '%s\n' "$(version_of "$1")" dev; }

which_connectors() {
  case "${1:-all}" in
    source|destination|webhooks) echo "$1" ;;
    all) echo "${CONNECTORS[@]}" "${EXTRA_IMAGES[@]}" ;;
    *) die "expected source, destination, webhooks or all, got '$1'" ;;
  esac
}

# -- subcommands --------------------------------------------------------------------------------------
cmd_install() {
  if [ "$(engine)" = docker ]; then log "using the Docker engine: nothing to install"; return 0; fi
  local missing=()
  for c in "${APT_COMMANDS[@]}"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "${APT_PACKAGES[*]}: already installed"
    return 0
  fi
  log "installing ${APT_PACKAGES[*]} (missing: ${missing[*]})"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${APT_PACKAGES[@]}" >/dev/null
}

cmd_available() {
  command -v podman >/dev/null 2>&1 || { echo "podman is not installed (run: packaging/images.sh install)"; return 1; }
  [ "$(id -u)" -eq 0 ] || { echo "podman image tests need root here (rootless podman is not set up)"; return 1; }
  pm info >/dev/null 2>&1 || { echo "podman is installed but 'podman info' fails with this project's settings"; return 1; }
}

base_tarball() {
  # The file name carries the recipe, so a changed recipe never reuses an old tarball.
  local recipe
  recipe="$(printf '%s %s %s' "$DEBIAN_SUITE" "$BASE_PACKAGES" "minbase-v1" | sha256sum | cut -c1-12)"
  echo "$CACHE/ghl-python-base-$DEBIAN_SUITE-$recipe.tar"
}

cmd_base() {
  if image_exists "$LOCAL_BASE"; then
    log "$LOCAL_BASE: present"
    return 0
  fi
  local tarball
  tarball="$(base_tarball)"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 || die "debootstrap is missing (run: packaging/images.sh install)"
    mkdir -p "$CACHE"
    local rootfs
    rootfs="$(mktemp -d "${TMPDIR:-/tmp}/ghl-base-rootfs.XXXXXX")"
    # shellcheck disable=SC2064
    trap "rm -rf '$rootfs'" EXIT
    log "debootstrap $DEBIAN_SUITE (minbase + $BASE_PACKAGES): about a minute"
    as_root debootstrap --variant=minbase --include="$BASE_PACKAGES" "$DEBIAN_SUITE" "$rootfs" \
      >"$CACHE/debootstrap.log" 2>&1 || { tail -20 "$CACHE/debootstrap.log" >&2; die "debootstrap failed"; }
    # Leave out what a container never uses: apt's package lists and caches, docs and man pages.
    as_root rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
      "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
    as_root tar -C "$rootfs" -cf "$tarball.part" .
    mv -f "$tarball.part" "$tarball"
    as_root rm -rf "$rootfs"
    trap - EXIT
  else
    log "reusing cached base tarball $tarball"
  fi
  log "importing $LOCAL_BASE"
  pm import -q --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' "$tarball" "$LOCAL_BASE" >/dev/null
}

build_one() {
  local connector="$1" repository version
  repository="$(repository_of "$connector")"
  version="$(version_of "$connector")"
  local image="$repository:$version" options=() base=() from="the Dockerfile's default base"
  if [ "$(engine)" = podman ]; then
    # The host's CA bundle lets pip inside the build reach the package index; host network for a local index.
    [ -f "$CA_BUNDLE" ] && options+=(-v "$CA_BUNDLE:/etc/ssl/certs/ca-certificates.crt:ro")
    options+=(--pull=never --network=host --layers)
    base=(--build-arg "BASE_IMAGE=$BASE_IMAGE") from="$BASE_IMAGE"
  elif [ -n "${GHL_BASE_IMAGE:-}" ]; then
    base=(--build-arg "BASE_IMAGE=$GHL_BASE_IMAGE") from="$GHL_BASE_IMAGE"
  fi
  log "building $image and $repository:dev with $(engine) from $from"
  local start=$SECONDS
  ce build "${options[@]}" "${base[@]}" \
    --build-arg "CONNECTOR=$connector" \
    -t "$image" -t "$repository:dev" -f "$ROOT/Dockerfile" "$ROOT" >"$STATE/build-$connector.log" 2>&1 ||
    { tail -40 "$STATE/build-$connector.log" >&2; die "building $image failed (log: $STATE/build-$connector.log)"; }
  log "built $image in $((SECONDS - start))s"
}

cmd_build() {
  local c
  mkdir -p "$STATE"
  if [ "$(engine)" = podman ] && [ "$BASE_IMAGE" = "$LOCAL_BASE" ]; then cmd_base; fi
  for c in $(which_connectors "${1:-all}"); do build_one "$c"; done
}

cmd_names() {
  local c
  for c in "${CONNECTORS[@]}"; do printf '%s %s %s\n' "$c" "$(repository_of "$c")" "$(tags_of "$c" | paste -sd' ')"; done
}

# A registry on the loopback address speaks plain http: docker trusts 127.0.0.0/8 so by default, podman needs
# to be told.
loopback_registry() { case "$1" in 127.*|localhost|localhost:*|\[::1\]*) return 0 ;; *) return 1 ;; esac; }

cmd_push() {
  local registry="${1:-${REGISTRY:-}}"
  [ -n "$registry" ] || die "push: which registry? e.g. packaging/images.sh push ghcr.io/you (or make push REGISTRY=ghcr.io/you)"
  registry="${registry%/}"
  mkdir -p "$STATE"
  local tls=() c tag local_name remote
  if [ "$(engine)" = podman ] && loopback_registry "${registry%%/*}"; then tls=(--tls-verify=false); fi
  for c in $(which_connectors "${2:-all}"); do
    for tag in $(tags_of "$c"); do
      local_name="$(repository_of "$c"):$tag"
      remote="$registry/$local_name"
      ce image inspect "$local_name" >/dev/null 2>&1 || die "$local_name is not built (run: make images)"
      ce tag "$local_name" "$remote"
      log "pushing $remote"
      ce push "${tls[@]}" "$remote" >"$STATE/push-$c.log" 2>&1 ||
        { tail -20 "$STATE/push-$c.log" >&2; die "pushing $remote failed (log: $STATE/push-$c.log)"; }
      ce rmi "$remote" >/dev/null
    done
  done
}

# Enough of the docker CLI for the CDK's image tests: `docker buildx build` becomes `podman build`, and
# `docker run` uses the host's network, so containers reach the sandbox on 127.0.0.1.
cmd_docker() {
  case "${1:-}" in
    buildx) shift; [ "${1:-}" = build ] && shift; pm build --network=host "$@" ;;
    run) shift; pm run --network=host "$@" ;;
    # docker treats registries on 127.0.0.0/8 as plain http by default; podman must be told so.
    push) shift; if loopback_registry "${1%%/*}"; then pm push --tls-verify=false "$@"; else pm push "$@"; fi ;;
    pull) shift; if loopback_registry "${1%%/*}"; then pm pull --tls-verify=false "$@"; else pm pull "$@"; fi ;;
    *) pm "$@" ;;
  esac
}

cmd_env() {
  podman_env
  printf 'export CONTAINERS_CONF=%q\nexport CONTAINERS_STORAGE_CONF=%q\n' "$CONTAINERS_CONF" "$CONTAINERS_STORAGE_CONF"
}

cmd_clean() {
  [ -d "$STATE" ] || return 0
  if command -v podman >/dev/null 2>&1; then pm system reset --force >/dev/null 2>&1 || true; fi
  rm -rf "$STATE"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    install) cmd_install "$@" ;;
    base) cmd_base "$@" ;;
    build) cmd_build "$@" ;;
    push) cmd_push "$@" ;;
    names) cmd_names ;;
    podman) pm "$@" ;;
    docker) cmd_docker "$@" ;;
    env) cmd_env ;;
    available) cmd_available ;;
    clean) cmd_clean ;;
    *) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}

main "$@"
