#!/usr/bin/env bash
# Installs the Debian packages Lodestone needs when they are missing: a C++ toolchain, make and
# python3 to build better-sqlite3's native addon (and python3 to run .py jobs).
# Runs as npm's preinstall step, so `npm install` on a fresh Debian machine is enough.
set -euo pipefail

missing=()
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "lodestone: please install ${missing[*]} (needed to build better-sqlite3), then run npm install again" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "lodestone: please install ${missing[*]} as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
echo "lodestone: installing ${missing[*]} from Debian's packages" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
