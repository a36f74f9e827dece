#!/usr/bin/env bash
# Round 35's variant over every split kept aside, seeds 0-4 and 5-9, three candidates: the first candidate's copy at 3x
# from update 1 inside the recommended selector's guards (prior-guarded, no race), run by run against the recommended
# switch and against round 34's yardstick (adam-x3-alone: the same copy with no guard and no stall), and its standing
# against the goals. Held-out-19 (run once in round 35, both contenders side by side) is in the first
# comparison and the standing; the 58 tasks through held-out-18 had seen the yardstick, so they are not blind for it.
# The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round35/prior_guarded.sh > benchmarks/results/round35/prior_guarded.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_18
with_held_out_19
PG="$R/round35/prior-guarded/*/time_to_target.json"
AX="$R/round34/adam-x3-alone/*/time_to_target.json"
echo "## Seeds 0-4: prior-guarded against the recommended switch (held-out-19 included) and round 34's yardstick"
compare "$PG+$H19:prior-guarded" "$K3:race-multiples-undo"
compare "$PG:prior-guarded" "$AX:adam-x3-alone"
echo "## Seeds 0-4: its standing against the issue's goals, three candidates"
echo "\$ python -m benchmarks.suite.standing --switch $PG+$H19:prior-guarded --fixed $K3:adam,sgd,rmsprop --baseline $K3:adamw-cosine"
python -m benchmarks.suite.standing --switch "$PG+$H19:prior-guarded" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:adamw-cosine"
echo
PG5="$R/round35/prior-guarded-fresh/*/time_to_target.json"
AX5="$R/round34/adam-x3-alone-fresh/*/time_to_target.json"
echo "## Seeds 5-9: against the recommended switch and round 34's yardstick, run by run"
compare "$PG5+$H19_FRESH:prior-guarded" "$FRESH_REC:race-multiples-undo"
compare "$PG5:prior-guarded" "$AX5:adam-x3-alone"
echo "## Seeds 5-9: its standing"
echo "\$ python -m benchmarks.suite.standing --switch $PG5+$H19_FRESH:prior-guarded --fixed $FRESH_ADAM:adam --fixed $FRESH_SR:sgd,rmsprop --baseline $FRESH_BASELINE:adamw-cosine"
python -m benchmarks.suite.standing --switch "$PG5+$H19_FRESH:prior-guarded" --fixed "$FRESH_ADAM:adam" \
  --fixed "$FRESH_SR:sgd,rmsprop" --baseline "$FRESH_BASELINE:adamw-cosine"
