#!/usr/bin/env bash
# Installs dependencies, builds, and classifies a few sample tweets with the default model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
echo "--- classifying samples/tweets.txt with models/default.fbm"
./build/flatbert classify --input samples/tweets.txt
