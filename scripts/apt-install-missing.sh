#!/usr/bin/env bash
# Installs Debian packages a setup step found missing: `apt-install-missing.sh "<what needs them>"
# pkg…`. Uses sudo when not root; without apt-get or root rights it says what to install and fails.
set -euo pipefail

purpose="$1"
shift
[ $# -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "lodestone: $purpose needs $* (Debian package names); install them, then run the command again" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "lodestone: $purpose needs $*; install them as root: apt-get install -y $*" >&2
    exit 1
  fi
fi
echo "lodestone: installing $* from Debian's packages ($purpose)" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
