#!/usr/bin/env bash
# Rebuilds models/default.fbm from scratch, as docs/model-card.md describes (about 1 h 15 min on 2 cores):
# MLM pre-training of bert-tiny on the training tweets, fine-tuning on RepLab 2013 EN, int8 dynamic-range export.
#   scripts/make_default_model.sh [RUNS_DIR]     (default runs/)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-runs}
/usr/bin/python3 python/pretrain.py --preset bert-tiny --out "$runs/pretrain-bert-tiny" --minutes 50 --epochs 4 \
  --batch 128 --max-length 64 --threads 1
/usr/bin/python3 python/finetune.py --init "$runs/pretrain-bert-tiny" --out "$runs/finetune-bert-tiny" --epochs 6 \
  --lr 3e-4 --batch 32 --max-length 64 --threads 2 --minutes 25
bash scripts/build.sh > /dev/null
./build/flatbert convert "$runs/finetune-bert-tiny" -o models/default.fbm --quant int8-dynamic
sha256sum models/default.fbm
