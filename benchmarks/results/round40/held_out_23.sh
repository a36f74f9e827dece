#!/usr/bin/env bash
# Round 40: held-out-23, run once with every default frozen (benchmarks/results/round40/RULE.md), seeds 0-4 and 5-9,
# three candidates and five: the recommended switch's standing on the split alone, with three candidates and with five,
# and which candidate's copies it ran most, run by run.
# Run from the repository's root:
# bash benchmarks/results/round40/held_out_23.sh > benchmarks/results/round40/held_out_23.txt
set -euo pipefail
source benchmarks/results/run_files.sh
split_standing held-out-23 "$H23" "$H23_FRESH"
echo "## The same with five candidates (the tuned baseline from the three-candidate run of the same seeds)"
for runs in "$H23_5C $H23" "$H23_FRESH_5C $H23_FRESH"; do
  read -r five three <<< "$runs"
  echo "\$ python -m benchmarks.suite.standing --switch $five:race-multiples-undo --fixed $five:adam,adam-3e-4,adam-3e-3,sgd,rmsprop --baseline $three:adamw-cosine"
  python -m benchmarks.suite.standing --switch "$five:race-multiples-undo" \
    --fixed "$five:adam,adam-3e-4,adam-3e-3,sgd,rmsprop" --baseline "$three:adamw-cosine"
  echo
done
echo "\$ python benchmarks/results/picks.py round40/held-out-23"
python benchmarks/results/picks.py round40/held-out-23
