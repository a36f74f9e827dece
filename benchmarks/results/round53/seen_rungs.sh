#!/usr/bin/env bash
# Round 53's diagnostic of rungs on the 30 kept-aside tasks whose recommended races ended at 1x
# (benchmarks/results/round53/RULE_SEEN.md; not blind): rungs against the recommended switch run by run over the 150
# runs, then apart for the runs whose race ends on a copy at 1x and the others (seen_rungs.py).
# Run from the repository's root:
# bash benchmarks/results/round53/seen_rungs.sh > benchmarks/results/round53/seen_rungs.txt
set -euo pipefail
source benchmarks/results/run_files.sh
S="$R/round53/seen-rungs/*/time_to_target.json"
compare "$S:race-multiples-undo-rungs-kept-watch" "$S:race-multiples-undo-kept-watch"
echo "\$ python benchmarks/results/round53/seen_rungs.py"
python benchmarks/results/round53/seen_rungs.py
