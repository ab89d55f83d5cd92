#!/usr/bin/env bash
# Installs what the test suite needs beyond `npm install`, when missing: a JDK (the Lucene 8.7
# reference in ../shared/anchors/lucene compiles its Java source), Lucene 8.7 itself, and Debian's
# chromium (the browser tests in test/browser drive it through playwright-core).
# Runs as npm's pretest step, so `npm test` on a fresh Debian machine is enough.
set -euo pipefail

missing=()
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
ls /usr/share/java/lucene-core-8*.jar >/dev/null 2>&1 || missing+=(liblucene8-java)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
bash "$(dirname "$0")/apt-install-missing.sh" "the test suite" "${missing[@]}"
