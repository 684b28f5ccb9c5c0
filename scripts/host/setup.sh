#!/usr/bin/env bash
# Installs and starts what idyl's main job and tests need on a Debian host, as root:
# Docker Engine, containerd + runc, an OCI registry on loopback, skopeo and
# busybox-static (for the test image), and PostgreSQL when it is installed.
# Idempotent: what is installed and answering is left alone.
#
# usage: scripts/host/setup.sh [--no-postgres]
set -euo pipefail

STATE=/var/lib/idyl-host
LOGS=/var/log/idyl-host
REGISTRY_ADDR=127.0.0.1:5000
want_pg=1
[ "${1:-}" = "--no-postgres" ] && want_pg=0

log() { printf 'host-setup: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (it installs packages and starts daemons)"
  exit 1
fi
mkdir -p "$STATE" "$LOGS"

# --- packages ---------------------------------------------------------------
need=()
for pair in docker.io:dockerd containerd:containerd runc:runc docker-registry:docker-registry \
            skopeo:skopeo busybox-static:busybox iproute2:ip; do
  pkg=${pair%%:*}; bin=${pair##*:}
  command -v "$bin" >/dev/null 2>&1 || need+=("$pkg")
done
# busybox may come from the dynamic package; the image needs the static one.
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # No init system starts services here; policy-rc.d keeps the installers from trying.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${need[@]}" >"$LOGS/apt.log" 2>&1 || { tail -20 "$LOGS/apt.log" >&2; exit 1; }
  rm -f /usr/sbin/policy-rc.d
fi

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2; shift 2
  for _ in $(seq 1 $((secs * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "$what did not come up; see $LOGS"
  return 1
}

# --- containerd ---------------------------------------------------------------
if ! ctr --timeout 2s version >/dev/null 2>&1; then
  log "starting containerd"
  setsid containerd >>"$LOGS/containerd.log" 2>&1 < /dev/null &
  wait_for 20 containerd ctr --timeout 2s version
fi

# --- Docker Engine --------------------------------------------------------------
if ! docker version >/dev/null 2>&1; then
  log "starting dockerd"
  setsid dockerd --containerd=/run/containerd/containerd.sock >>"$LOGS/dockerd.log" 2>&1 < /dev/null &
  wait_for 40 dockerd docker version
fi

# --- OCI registry on loopback ---------------------------------------------------
if ! curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; then
  log "starting docker-registry on $REGISTRY_ADDR"
  mkdir -p "$STATE/registry"
  cat >"$STATE/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
YML
  setsid docker-registry serve "$STATE/registry.yml" >>"$LOGS/registry.log" 2>&1 < /dev/null &
  wait_for 20 registry curl -fsS "http://$REGISTRY_ADDR/v2/"
fi

# --- PostgreSQL (tests of the PostgreSQL store) -----------------------------------
if [ $want_pg = 1 ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    wait_for 30 PostgreSQL pg_isready -h 127.0.0.1 -p 5432 -q
  fi
fi

# --- the test and sample image ----------------------------------------------------
here=$(cd "$(dirname "$0")/.." && pwd)
node "$here/image/build-busybox-image.mjs" --registry "$REGISTRY_ADDR" >"$STATE/busybox-image.json"
log "ready: containerd, dockerd, registry $REGISTRY_ADDR, image $(cat "$STATE/busybox-image.json")"
