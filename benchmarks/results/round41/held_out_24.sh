#!/usr/bin/env bash
# Round 41: held-out-24, run once with every default frozen (benchmarks/results/round41/RULE.md), seeds 0-4 and 5-9,
# three candidates and five: the recommended switch's standing on the split alone, with three candidates and with five,
# and which candidate's copies it ran most, run by run.
# Run from the repository's root:
# bash benchmarks/results/round41/held_out_24.sh > benchmarks/results/round41/held_out_24.txt
set -euo pipefail
source benchmarks/results/run_files.sh
split_standing held-out-24 "$H24" "$H24_FRESH"
echo "## The same with five candidates (the tuned baseline from the three-candidate run of the same seeds)"
for runs in "$H24_5C $H24" "$H24_FRESH_5C $H24_FRESH"; do
  read -r five three <<< "$runs"
  echo "\$ python -m benchmarks.suite.standing --switch $five:race-multiples-undo --fixed $five:adam,adam-3e-4,adam-3e-3,sgd,rmsprop --baseline $three:adamw-cosine"
  python -m benchmarks.suite.standing --switch "$five:race-multiples-undo" \
    --fixed "$five:adam,adam-3e-4,adam-3e-3,sgd,rmsprop" --baseline "$three:adamw-cosine"
  echo
done
echo "\$ python benchmarks/results/picks.py round41/held-out-24"
python benchmarks/results/picks.py round41/held-out-24
