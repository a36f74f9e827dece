#!/usr/bin/env bash
# Round 64's development trial of the fair reading after the race (benchmarks/results/round64/RULE_DEV.md): a variant
# (benchmarks/results/round64/dev-VARIANT/) against the recommended switch's stored runs of the same splits and seeds
# (benchmarks/results/round53/dev-steps/), run by run: each seed set alone, then both together, then split by split.
# Run from the repository's root:
# bash benchmarks/results/round64/dev_reading.sh > benchmarks/results/round64/dev_reading.txt
# bash benchmarks/results/round64/dev_reading.sh reading-1x > benchmarks/results/round64/dev_reading_1x.txt
set -euo pipefail
source benchmarks/results/run_files.sh
runs=dev-${1:-reading}
variant=race-multiples-undo-${1:-reading}-kept-watch
recommended=race-multiples-undo-kept-watch
development_runs "$R/round64/$runs"
mine_0_4=$seeds_0_4 mine_5_9=$seeds_5_9
development_runs "$R/round53/dev-steps"
echo "## $variant against the recommended switch, seeds 0-4, seeds 5-9, then both"
compare "$mine_0_4:$variant" "$seeds_0_4:$recommended"
compare "$mine_5_9:$variant" "$seeds_5_9:$recommended"
compare "$mine_0_4+$mine_5_9:$variant" "$seeds_0_4+$seeds_5_9:$recommended"
echo "## $variant against the recommended switch, split by split, seeds 0-9"
for split in development development-2 development-3 development-4 development-5; do
  mine=$R/round64/$runs/$split/time_to_target.json+$R/round64/$runs/$split-fresh/time_to_target.json
  theirs=$R/round53/dev-steps/$split/time_to_target.json+$R/round53/dev-steps/$split-fresh/time_to_target.json
  compare "$mine:$variant" "$theirs:$recommended"
done
