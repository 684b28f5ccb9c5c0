#!/usr/bin/env bash
# The main job: a local control plane (embedded SQLite) and a local node, then a
# sample workload from the busybox image in the loopback registry, and its output.
# Run through `make demo`, which first installs and starts what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
idyl() { bin/idyl "$@"; }
IMAGE=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("/var/lib/idyl-host/busybox-image.json","utf8")).ref)' 2>/dev/null || echo 127.0.0.1:5000/idyl/busybox:1.35)

echo "== idyl up"
idyl up

echo "== a container workload: runs, and its output comes back through the control plane"
idyl delete pod hello >/dev/null 2>&1 || true
idyl run "$IMAGE" --name hello --wait -- sh -c 'echo "hello from idyl: $(hostname) on kernel $(uname -r)"'
idyl logs hello

echo "== a microvm workload on a host without a microVM runtime: never run as a container, pending with the reason"
idyl delete pod needs-a-vm >/dev/null 2>&1 || true
idyl run "$IMAGE" --name needs-a-vm --isolation-class microvm >/dev/null
sleep 1
idyl get pods

echo
echo "The local control plane and node keep running: try 'bin/idyl describe pod needs-a-vm', 'bin/idyl node get'."
echo "Stop them with: bin/idyl down"
