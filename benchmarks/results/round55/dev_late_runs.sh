#!/usr/bin/env bash
# Round 55's development trial runs (benchmarks/results/round55/RULE_DEV.md): the late duels beside the recommended
# switch on the five development splits, three candidates, seeds 0-4 and 5-9, two runs at a time. It writes
# benchmarks/results/round55/dev-late/, which dev_late.sh reads. Run from the repository's root:
# bash benchmarks/results/round55/dev_late_runs.sh
set -euo pipefail
contenders=race-multiples-undo-kept-watch,race-multiples-undo-late-duels-kept-watch
for split in development development-2 development-3 development-4 development-5; do
  python -m benchmarks.suite --no-progress --split "$split" --contenders "$contenders" \
    --out "benchmarks/results/round55/dev-late/$split" &
  python -m benchmarks.suite --no-progress --split "$split" --first-seed 5 --contenders "$contenders" \
    --out "benchmarks/results/round55/dev-late/$split-fresh" &
  wait
done
