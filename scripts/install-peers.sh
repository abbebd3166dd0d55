#!/usr/bin/env bash
# Installs the peers of `npm run bench:peers` from Debian when they are missing: nats-server
# (JetStream) and redis-server. Starts nothing: the benchmark runs its own instances on
# 127.0.0.1 with their data in a temp dir and stops them. Needs root (or sudo) only to install.
set -euo pipefail
missing=()
command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-peers: installing ${missing[*]} from Debian"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
# A package may start its own service; the benchmark does not use it.
for service in redis-server nats-server; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
    $sudo systemctl stop "$service" || true
  fi
done
