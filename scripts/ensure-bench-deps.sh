#!/usr/bin/env bash
# Installs what the benchmarks' anchors need, when missing: Debian's python3-hnswlib (the kNN
# benchmark runs hnswlib beside Lodestone on the same vectors). Runs before `npm run bench:knn`.
set -euo pipefail

/usr/bin/python3 -c "import hnswlib, numpy" >/dev/null 2>&1 && exit 0
missing=(python3-hnswlib python3-numpy)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "lodestone: the kNN benchmark needs ${missing[*]}; install them as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "lodestone: the kNN benchmark needs ${missing[*]} (Debian package names); install them, then run it again" >&2
  exit 1
fi
echo "lodestone: installing ${missing[*]} from Debian's packages (the kNN benchmark's anchor)" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
