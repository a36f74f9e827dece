#!/usr/bin/env bash
# Round 57 (round 30's, over every split kept aside through held-out-39): what fair trials of every candidate from the
# start could reach, by steps, read off the fixed candidates' stored runs (no new run), beside the recommended switch's
# own runs and each fixed candidate's and the baseline's alone, three candidates and five, seeds 0-4 and 5-9
# (benchmarks/diagnostics/start_trials.py; the oracle@0 row is the best candidate of each seed known in advance, at no
# cost). Prodigy, which only the splits through held-out-18 ran, is left out. The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round57/start_trials.sh > benchmarks/results/round57/start_trials.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 39
run() { echo "\$ python -m benchmarks.diagnostics.start_trials $*"; python -m benchmarks.diagnostics.start_trials "$@"; echo; }
echo "## Every split kept aside (validation, held-out through held-out-39), three candidates, seeds 0-4"
run --fixed "$K3:adam,sgd,rmsprop" --switch "$K3:race-multiples-undo,adam,sgd,rmsprop,adamw-cosine" \
  --baseline "$K3:adamw-cosine"
echo "## The same splits, three candidates, seeds 5-9"
run --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" --switch "$FRESH_REC:race-multiples-undo" \
  --switch "$FRESH_ADAM:adam" --switch "$FRESH_SR:sgd,rmsprop" --switch "$FRESH_BASELINE:adamw-cosine" \
  --baseline "$FRESH_BASELINE:adamw-cosine"
echo "## Every split kept aside, five candidates (Adam at 3e-4, 1e-3 and 3e-3, SGD with momentum, RMSProp), seeds 0-4"
run --fixed "$K3+$A34:adam,adam-3e-3,sgd,rmsprop" --fixed "$A34:adam-3e-4" --switch "$K5_SWITCH:race-multiples-undo" \
  --baseline "$K3:adamw-cosine"
echo "## The same splits, five candidates, seeds 5-9"
run --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" --fixed "$F5:adam-3e-4,adam-3e-3" \
  --switch "$F5:race-multiples-undo" --baseline "$FRESH_BASELINE:adamw-cosine"
