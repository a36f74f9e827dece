#!/usr/bin/env bash
# Round 30: what fair trials of every candidate from the start could reach, by steps, read off the fixed candidates'
# stored runs (no new run), beside the recommended switch's own runs; the same run files as round 29's standing.
# Run from the repository's root: bash benchmarks/results/round30/start_trials.sh > benchmarks/results/round30/start_trials.txt
set -euo pipefail
R=benchmarks/results
run() { echo "\$ python -m benchmarks.diagnostics.start_trials $*"; python -m benchmarks.diagnostics.start_trials "$@"; echo; }
echo "## Development tasks, three candidates, seeds 0-4 (round 19's runs, on an Intel Xeon)"
D="$R/round19/dev3/time_to_target.json"
run --fixed "$D:adam,sgd,rmsprop" --switch "$D:race-multiples-undo" --baseline "$D:adamw-cosine"
echo "## Development tasks, three candidates, seeds 5-9"
D="$R/round19/dev3-fresh/time_to_target.json"
run --fixed "$D:adam,sgd,rmsprop" --switch "$D:race-multiples-undo" --baseline "$D:adamw-cosine"
K3="$R/round19/seen/*/time_to_target.json+$R/round2[0-5]/held-out-?/time_to_target.json"
K3="$K3+$R/round2[0-9]/held-out-??/time_to_target.json"
echo "## Every split kept aside (validation, held-out through held-out-17), three candidates, seeds 0-4"
run --fixed "$K3:adam,sgd,rmsprop" --switch "$K3:race-multiples-undo,adam,sgd,rmsprop,prodigy-cosine,adamw-cosine" \
  --baseline "$K3:adamw-cosine"
FRESH_ADAM="$R/round28/fresh-adam/time_to_target.json"
FRESH_SR="$R/round29/fresh-sgd-rmsprop/time_to_target.json"
echo "## The splits kept aside through held-out-16, three candidates, seeds 5-9"
run --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" --switch "$R/round28/fresh/time_to_target.json:race-multiples-undo" \
  --switch "$FRESH_ADAM:adam" --switch "$FRESH_SR:sgd,rmsprop" --switch "$R/round29/fresh-baseline/time_to_target.json:adamw-cosine" \
  --baseline "$R/round29/fresh-baseline/time_to_target.json:adamw-cosine"
K5_SWITCH="$R/round22/recommended-marked-5c/time_to_target.json+$R/round2[0-9]/held-out-*-5c/time_to_target.json"
A34="$R/selection_round3/validation/large/time_to_target.json+$R/stall/held-out/large/time_to_target.json"
A34="$A34+$R/round9/held-out-2/large/time_to_target.json+$R/round10/held-out-3/large_fixed/time_to_target.json"
A34="$A34+$R/round11/held-out-4/large/time_to_target.json+$R/round12/held-out-5/large/time_to_target.json"
A34="$A34+$R/round13/held-out-6/large/time_to_target.json+$R/round16/held-out-7/large/time_to_target.json"
A34="$A34+$R/round2[0-9]/held-out-*-5c/time_to_target.json"
echo "## Every split kept aside, five candidates (Adam at 3e-4, 1e-3 and 3e-3, SGD with momentum, RMSProp), seeds 0-4"
run --fixed "$K3+$A34:adam,adam-3e-3,sgd,rmsprop" --fixed "$A34:adam-3e-4" --switch "$K5_SWITCH:race-multiples-undo" \
  --baseline "$K3:adamw-cosine"
F5="$R/round29/fresh-5c/time_to_target.json"
echo "## The splits kept aside through held-out-16, five candidates, seeds 5-9"
run --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" --fixed "$F5:adam-3e-4,adam-3e-3" \
  --switch "$F5:race-multiples-undo" --baseline "$R/round29/fresh-baseline/time_to_target.json:adamw-cosine"
