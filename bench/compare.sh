#!/usr/bin/env bash
# flatbert vs ONNX Runtime vs PyTorch on the same weights and tweets; writes docs/compare.{json,md,svg}.
#   bench/compare.sh [MODEL [N]]   MODEL: an .fbm (default models/default.fbm) or an HF-layout directory
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --bench
bash scripts/build.sh > /dev/null
/usr/bin/python3 bench/compare.py "$@"
