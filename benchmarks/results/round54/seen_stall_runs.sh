#!/usr/bin/env bash
# Round 54's runs of the stall rungs on round 53's 30 kept-aside tasks whose recommended races ended at 1x
# (benchmarks/results/round54/RULE_DEV.md, condition 3): the same two halves of 15 tasks as round 53's seen-rungs/a and
# b, read from their stored runs, three candidates, seeds 0-4, the two halves at a time (15 min on 2 cores). It writes
# benchmarks/results/round54/seen-stall/{a,b}/, which seen_stall.sh reads. Run from the repository's root:
# bash benchmarks/results/round54/seen_stall_runs.sh
set -euo pipefail
contenders=race-multiples-undo-kept-watch,race-multiples-undo-stall-rung-kept-watch,race-multiples-undo-long-stall-rung-kept-watch
for half in a b; do
  tasks=$(python -c "import json, sys; print(','.join(json.load(open(sys.argv[1]))['tasks']))" \
    "benchmarks/results/round53/seen-rungs/$half/time_to_target.json")
  python -m benchmarks.suite --no-progress --split all --tasks "$tasks" --contenders "$contenders" \
    --out "benchmarks/results/round54/seen-stall/$half" &
done
wait
