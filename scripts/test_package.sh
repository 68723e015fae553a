#!/usr/bin/env bash
# Builds the amd64 .deb (cpack) from a native build, installs it with apt, runs `flatbert classify` from PATH and
# `import flatbert` with the system Python, then removes it. Needs root (or sudo) and scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
(cd build && cpack -G DEB > /dev/null)
deb=$(ls build/packages/flatbert_*_amd64.deb)
echo "package: $deb ($(du -h "$deb" | cut -f1))"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "./$deb" > /dev/null
trap 'DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq flatbert > /dev/null' EXIT
cd /  # nothing of the source tree
command -v flatbert
env -u FLATBERT_MODEL flatbert classify "I love my new car" | grep '"label"'
env -u FLATBERT_MODEL -u FLATBERT_LIBRARY /usr/bin/python3 -c '
import flatbert
with flatbert.Model() as m:
    print(m.classify(["I love my new car"])[0])'
echo "package: installed, classified from PATH and from Python"
