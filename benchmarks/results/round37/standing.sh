#!/usr/bin/env bash
# Round 37: where the recommended switch stands against the goals of issue 11, split by split and task by task, over
# every split kept aside (validation, held-out through held-out-20), three candidates and five, seeds 0-4 and 5-9
# (round 35's standing, with held-out-20 run once on both seed sets in round 37). The run files:
# benchmarks/results/run_files.sh.
# Run from the repository's root: bash benchmarks/results/round37/standing.sh > benchmarks/results/round37/standing.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_18
with_held_out_19
with_held_out_20
run() { echo "\$ python -m benchmarks.suite.standing $*"; python -m benchmarks.suite.standing "$@"; echo; }
echo "## Three candidates (Adam 1e-3, SGD with momentum, RMSProp), the tuned baseline AdamW + warmup + cosine"
run --switch "$K3:race-multiples-undo" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:adamw-cosine"
echo "## The same by seconds, compile included: each split's contenders ran side by side in one session (its own file)"
run --clock seconds --switch "$K3:race-multiples-undo" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:adamw-cosine"
echo "## The same, with Prodigy untuned as the baseline"
run --switch "$K3:race-multiples-undo" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:prodigy-cosine"
echo "## Five candidates (Adam at 3e-4, 1e-3 and 3e-3, SGD with momentum, RMSProp)"
run --switch "$K5_SWITCH:race-multiples-undo" --fixed "$K3+$A34:adam,adam-3e-3,sgd,rmsprop" --fixed "$A34:adam-3e-4" \
  --baseline "$K3:adamw-cosine"
echo "## Seeds 5-9, three candidates, the tuned baseline"
run --switch "$FRESH_REC:race-multiples-undo" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
  --baseline "$FRESH_BASELINE:adamw-cosine"
echo "## Seeds 5-9, five candidates"
run --switch "$F5:race-multiples-undo" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
  --fixed "$F5:adam-3e-4,adam-3e-3" --baseline "$FRESH_BASELINE:adamw-cosine"
