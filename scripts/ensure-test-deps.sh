#!/usr/bin/env bash
# Installs what the test suite needs beyond `npm install`, when missing: a JDK (the Lucene 8.7
# reference in ../shared/anchors/lucene compiles its Java source) and Lucene 8.7 itself.
# Runs as npm's pretest step, so `npm test` on a fresh Debian machine is enough.
set -euo pipefail

missing=()
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
ls /usr/share/java/lucene-core-8*.jar >/dev/null 2>&1 || missing+=(liblucene8-java)
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "lodestone: the tests need ${missing[*]}; install them as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "lodestone: the tests need ${missing[*]} (Debian package names); install them, then run npm test again" >&2
  exit 1
fi
echo "lodestone: installing ${missing[*]} from Debian's packages (needed by the tests)" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
