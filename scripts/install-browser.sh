#!/usr/bin/env bash
# Installs the Chromium the console's browser tests drive (through playwright-core), from the
# operating system's packages: Debian/Ubuntu `chromium` via apt-get (needs root, as on CI). Prints
# the browser's path. Does nothing when a Chromium is already on PATH or PETREL_CHROMIUM names one.
set -euo pipefail

find_browser() {
  if [[ -n "${PETREL_CHROMIUM:-}" && -x "${PETREL_CHROMIUM}" ]]; then echo "$PETREL_CHROMIUM"; return 0; fi
  for name in chromium chromium-browser google-chrome-stable google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  done
  return 1
}

if find_browser; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no Chromium found and no apt-get here; install Chromium and set PETREL_CHROMIUM=/path/to/chromium" >&2
  exit 1
fi
if [[ "$(id -u)" != "0" ]]; then
  echo "install-browser: no Chromium found; run as root (or: sudo apt-get install -y chromium), or set PETREL_CHROMIUM" >&2
  exit 1
fi
echo "install-browser: installing chromium from the Debian packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium >&2
find_browser
