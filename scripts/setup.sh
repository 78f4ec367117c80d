#!/usr/bin/env bash
# Installs what chunkfs needs on this machine, then its npm dependencies, then builds it.
# System packages: libfuse2 (fuse-native's binary links libfuse.so.2) and fuse3 (fusermount).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
ldconfig -p 2>/dev/null | grep -q 'libfuse\.so\.2 ' || missing+=(libfuse2)
command -v fusermount >/dev/null 2>&1 || command -v fusermount3 >/dev/null 2>&1 || missing+=(fuse3)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "chunkfs setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "chunkfs setup: missing system packages: ${missing[*]}" >&2
    echo "  install them as root, e.g.: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

if [ ! -e /dev/fuse ]; then
  echo "chunkfs setup: /dev/fuse is missing: load the fuse kernel module (modprobe fuse) to mount filesystems" >&2
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build
# fuse-native's prebuilt addon loses mtimes set alone (tar -x, cp -p): build it from its
# own source with the fix (a C compiler and headers already on the machine; no download).
node dist/src/fuse/native/build.js
