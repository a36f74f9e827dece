#!/usr/bin/env bash
# Round 64's development trial runs (benchmarks/results/round64/RULE_DEV.md): the fair reading after the race on the
# five development splits, three candidates, seeds 0-4 and 5-9, two runs at a time. It writes
# benchmarks/results/round64/dev-VARIANT/, which dev_reading.sh reads. Run from the repository's root:
# bash benchmarks/results/round64/dev_reading_runs.sh [VARIANT]
# VARIANT: reading (the first variant, race-multiples-undo-reading-kept-watch; the default) or reading-1x (the second).
set -euo pipefail
variant=${1:-reading}
contender=race-multiples-undo-$variant-kept-watch
for split in development development-2 development-3 development-4 development-5; do
  python -m benchmarks.suite --no-progress --split "$split" --contenders "$contender" \
    --out "benchmarks/results/round64/dev-$variant/$split" &
  python -m benchmarks.suite --no-progress --split "$split" --first-seed 5 --contenders "$contender" \
    --out "benchmarks/results/round64/dev-$variant/$split-fresh" &
  wait
done
