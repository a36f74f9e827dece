#!/usr/bin/env bash
# Round 29: where the recommended switch stands against the goals of issue 11, split by split and task by task, over
# every split kept aside (validation, held-out through held-out-17), with three candidates and with five.
# Run from the repository's root: bash benchmarks/results/round29/standing.sh > benchmarks/results/round29/standing.txt
set -euo pipefail
R=benchmarks/results
run() { echo "\$ python -m benchmarks.suite.standing $*"; python -m benchmarks.suite.standing "$@"; echo; }
# Three candidates: seeds 0-4 of validation and held-out through held-out-7 as re-run in round 19, then each blind
# split's own run.
K3="$R/round19/seen/*/time_to_target.json+$R/round2[0-5]/held-out-?/time_to_target.json"
K3="$K3+$R/round2[0-9]/held-out-??/time_to_target.json"
echo "## Three candidates (Adam 1e-3, SGD with momentum, RMSProp), the tuned baseline AdamW + warmup + cosine"
run --switch "$K3:race-multiples-undo" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:adamw-cosine"
echo "## The same by seconds, compile included: each split's contenders ran side by side in one session (its own file)"
run --clock seconds --switch "$K3:race-multiples-undo" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:adamw-cosine"
echo "## The same, with Prodigy untuned as the baseline"
run --switch "$K3:race-multiples-undo" --fixed "$K3:adam,sgd,rmsprop" --baseline "$K3:prodigy-cosine"
# Five candidates: the switch's runs of round 22 (validation, held-out through held-out-9) and each later split's;
# Adam at 3e-4 from the splits' own five-candidate runs (the fixed candidates do not depend on the set they are in);
# the other four from the files above.
K5_SWITCH="$R/round22/recommended-marked-5c/time_to_target.json+$R/round2[0-9]/held-out-*-5c/time_to_target.json"
A34="$R/selection_round3/validation/large/time_to_target.json+$R/stall/held-out/large/time_to_target.json"
A34="$A34+$R/round9/held-out-2/large/time_to_target.json+$R/round10/held-out-3/large_fixed/time_to_target.json"
A34="$A34+$R/round11/held-out-4/large/time_to_target.json+$R/round12/held-out-5/large/time_to_target.json"
A34="$A34+$R/round13/held-out-6/large/time_to_target.json+$R/round16/held-out-7/large/time_to_target.json"
A34="$A34+$R/round2[0-9]/held-out-*-5c/time_to_target.json"
echo "## Five candidates (Adam at 3e-4, 1e-3 and 3e-3, SGD with momentum, RMSProp)"
run --switch "$K5_SWITCH:race-multiples-undo" --fixed "$K3+$A34:adam,adam-3e-3,sgd,rmsprop" --fixed "$A34:adam-3e-4" \
  --baseline "$K3:adamw-cosine"
# Seeds 5-9 of the 52 tasks kept aside through held-out-16, which no selector was designed on: the recommended switch
# and Adam from round 28, the others from this round's runs, all on the AMD EPYC.
FRESH_REC="$R/round28/fresh/time_to_target.json"
FRESH_ADAM="$R/round28/fresh-adam/time_to_target.json"
FRESH_SR="$R/round29/fresh-sgd-rmsprop/time_to_target.json"
echo "## Seeds 5-9, three candidates, the tuned baseline"
run --switch "$FRESH_REC:race-multiples-undo" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
  --baseline "$R/round29/fresh-baseline/time_to_target.json:adamw-cosine"
echo "## Seeds 5-9, five candidates"
F5="$R/round29/fresh-5c/time_to_target.json"
run --switch "$F5:race-multiples-undo" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" --fixed "$F5:adam-3e-4,adam-3e-3" \
  --baseline "$R/round29/fresh-baseline/time_to_target.json:adamw-cosine"
