#!/usr/bin/env bash
# Round 37's option over the 61 tasks kept aside through held-out-19, seeds 0-4, three candidates: the recommended
# switch with undo_if_worse(..., noise="before") (race-multiples-undo-before-noise), run by run against the recommended
# switch, and its standing against the goals. Development only (these tasks had all seen the recommended
# switch); its rule: benchmarks/results/round37/before-noise/RULE.md. The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round37/before_noise.sh > benchmarks/results/round37/before_noise.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_18
with_held_out_19
BN="$R/round37/before-noise/splits/*/time_to_target.json"
echo "## Seeds 0-4: before-noise against the recommended switch, run by run, over 20 splits and 61 tasks"
echo "\$ python -m benchmarks.suite.paired $BN:race-multiples-undo-before-noise $K3:race-multiples-undo"
python -m benchmarks.suite.paired "$BN:race-multiples-undo-before-noise" "$K3:race-multiples-undo"
echo
echo "## Seeds 0-4: its standing against the issue's goals, three candidates"
echo "\$ python -m benchmarks.suite.standing --switch $BN:race-multiples-undo-before-noise --fixed $K3:adam,sgd,rmsprop --baseline $K3:adamw-cosine"
python -m benchmarks.suite.standing --switch "$BN:race-multiples-undo-before-noise" --fixed "$K3:adam,sgd,rmsprop" \
  --baseline "$K3:adamw-cosine"
