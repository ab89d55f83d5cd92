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
bash "$(dirname "$0")/apt-install-missing.sh" "building better-sqlite3" "${missing[@]}"
