#!/usr/bin/env bash
# Round 36's variant over every split kept aside, seeds 0-4 and 5-9, three candidates: the recommended switch with its
# stall watched over windows of budget/10 updates, not budget/20 (race-multiples-undo-stall-long), run by run against
# the recommended switch, its standing against the goals, and how early each steps a copy down. Run after
# the variant failed its development rule (a), as a diagnostic only: the rule gated it; these tasks had all seen the
# recommended switch. Held-out-20 was not run. The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round36/stall_long.sh > benchmarks/results/round36/stall_long.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_18
with_held_out_19
early() {
  echo "\$ python -m benchmarks.diagnostics.early_step_downs $1 $2"
  python -m benchmarks.diagnostics.early_step_downs "$1" "$2"
  echo
}
SL="$R/round36/stall-long/*/time_to_target.json"
echo "## Seeds 0-4: stall-long against the recommended switch, run by run, over 20 splits and 61 tasks"
compare "$SL:race-multiples-undo-stall-long" "$K3:race-multiples-undo"
early "$SL:race-multiples-undo-stall-long" "$K3:race-multiples-undo"
echo "## Seeds 0-4: its standing against the issue's goals, three candidates"
echo "\$ python -m benchmarks.suite.standing --switch $SL:race-multiples-undo-stall-long --fixed $K3:adam,sgd,rmsprop --baseline $K3:adamw-cosine"
python -m benchmarks.suite.standing --switch "$SL:race-multiples-undo-stall-long" --fixed "$K3:adam,sgd,rmsprop" \
  --baseline "$K3:adamw-cosine"
echo
SL5="$R/round36/stall-long-fresh/*/time_to_target.json"
echo "## Seeds 5-9: against the recommended switch, run by run"
compare "$SL5:race-multiples-undo-stall-long" "$FRESH_REC:race-multiples-undo"
early "$SL5:race-multiples-undo-stall-long" "$FRESH_REC:race-multiples-undo"
echo "## Seeds 5-9: its standing"
echo "\$ python -m benchmarks.suite.standing --switch $SL5:race-multiples-undo-stall-long --fixed $FRESH_ADAM:adam --fixed $FRESH_SR:sgd,rmsprop --baseline $FRESH_BASELINE:adamw-cosine"
python -m benchmarks.suite.standing --switch "$SL5:race-multiples-undo-stall-long" --fixed "$FRESH_ADAM:adam" \
  --fixed "$FRESH_SR:sgd,rmsprop" --baseline "$FRESH_BASELINE:adamw-cosine"
