#!/usr/bin/env bash
# Round 64's condition 3 (benchmarks/results/round64/RULE_DEV.md's second addendum): the third variant on the 27 tasks
# of held-out-37 to held-out-45 (run blind in rounds 55 to 63; no setting tuned on them), seeds 0-4, three candidates,
# two runs at a time. It writes benchmarks/results/round64/seen-reading-1x-short/, which seen_reading.sh reads. Run from
# the repository's root: bash benchmarks/results/round64/seen_reading_runs.sh
set -euo pipefail
contender=race-multiples-undo-reading-1x-short-kept-watch
for pair in "37 38" "39 40" "41 42" "43 44" "45"; do
  for n in $pair; do
    python -m benchmarks.suite --no-progress --split "held-out-$n" --contenders "$contender" \
      --out "benchmarks/results/round64/seen-reading-1x-short/held-out-$n" &
  done
  wait
done
