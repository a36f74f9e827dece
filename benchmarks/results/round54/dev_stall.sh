#!/usr/bin/env bash
# Round 54's development trial of a step down on a stall only (benchmarks/results/round54/RULE_DEV.md): the stall rungs
# over budget/20 and budget/10 of the pick's updates, each under the kept-watch guard, against the recommended switch
# run by run, on the five development splits, seeds 0-4 and 5-9 (benchmarks/results/round54/dev-stall/, each run holding
# the three contenders): each seed set alone, then both together, then split by split. Run from the repository's root:
# bash benchmarks/results/round54/dev_stall.sh > benchmarks/results/round54/dev_stall.txt
set -euo pipefail
source benchmarks/results/run_files.sh
D=$R/round54/dev-stall
development_runs "$D"
for variant in race-multiples-undo-stall-rung-kept-watch race-multiples-undo-long-stall-rung-kept-watch; do
  echo "## $variant against the recommended switch, seeds 0-4, seeds 5-9, then both"
  compare "$seeds_0_4:$variant" "$seeds_0_4:race-multiples-undo-kept-watch"
  compare "$seeds_5_9:$variant" "$seeds_5_9:race-multiples-undo-kept-watch"
  compare "$seeds_0_4+$seeds_5_9:$variant" "$seeds_0_4+$seeds_5_9:race-multiples-undo-kept-watch"
done
# Split by split, both seed sets together: where the sooner runs fall.
for variant in race-multiples-undo-stall-rung-kept-watch race-multiples-undo-long-stall-rung-kept-watch; do
  echo "## $variant against the recommended switch, split by split, seeds 0-9"
  for split in development development-2 development-3 development-4 development-5; do
    both=$D/$split/time_to_target.json+$D/$split-fresh/time_to_target.json
    compare "$both:$variant" "$both:race-multiples-undo-kept-watch"
  done
done
