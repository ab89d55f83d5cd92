#!/usr/bin/env bash
# Installs what the benchmarks' anchors need, when missing: Debian's python3-hnswlib (the kNN
# benchmark runs hnswlib beside Lodestone on the same vectors) and python3-numpy (also the
# recommendation benchmark's EASE anchor). Runs before `npm run bench:knn` and `bench:recommend-eval`.
set -euo pipefail

/usr/bin/python3 -c "import hnswlib, numpy" >/dev/null 2>&1 && exit 0
bash "$(dirname "$0")/apt-install-missing.sh" "the benchmarks' anchors (hnswlib, numpy)" python3-hnswlib python3-numpy
