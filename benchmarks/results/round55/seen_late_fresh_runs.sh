#!/usr/bin/env bash
# Round 55's diagnostic after condition 3 (benchmarks/results/round55/RULE_DEV.md, addendum): the late duels beside the
# recommended switch on the same 27 tasks as seen_late_runs.sh, seeds 5-9, in the same two halves at a time. It writes
# benchmarks/results/round55/seen-late-fresh/{a,b}/, which dev_late.sh reads. Run from the repository's root:
# bash benchmarks/results/round55/seen_late_fresh_runs.sh
set -euo pipefail
contenders=race-multiples-undo-kept-watch,race-multiples-undo-late-duels-kept-watch
for half in a b; do
  tasks=$(python -c "import json, sys; print(','.join(json.load(open(sys.argv[1]))['tasks']))" \
    "benchmarks/results/round55/seen-late/$half/time_to_target.json")
  python -m benchmarks.suite --no-progress --split all --first-seed 5 --tasks "$tasks" --contenders "$contenders" \
    --out "benchmarks/results/round55/seen-late-fresh/$half" &
done
wait
