#!/usr/bin/env bash
# Round 29: the recommended switch run by run against each contender over the 55 tasks kept aside through
# held-out-17 (held-out-17 run once this round, every default frozen), seeds 0-4.
# Run from the repository's root: bash benchmarks/results/round29/paired.sh > benchmarks/results/round29/paired.txt
set -euo pipefail
R=benchmarks/results
compare() { echo "\$ python -m benchmarks.suite.paired $1 $2"; python -m benchmarks.suite.paired "$1" "$2"; echo; }
echo "## Held-out-17, run once (three candidates): the recommended switch against each contender"
for other in adam sgd rmsprop prodigy-cosine adamw-cosine prodigy-trial; do
  compare "$R/round29/held-out-17/time_to_target.json:race-multiples-undo" "$R/round29/held-out-17/time_to_target.json:$other"
done
echo "## The 55 tasks kept aside through held-out-17, three candidates, seeds 0-4: the recommended switch against each contender"
K3="$R/round19/seen/*/time_to_target.json+$R/round2[0-5]/held-out-?/time_to_target.json+$R/round2[0-9]/held-out-??/time_to_target.json"
for other in adam sgd rmsprop prodigy-cosine adamw-cosine; do compare "$K3:race-multiples-undo" "$K3:$other"; done
K3_TRIAL="$R/round20/seen/*/time_to_target.json+$R/round2[0-5]/held-out-?/time_to_target.json+$R/round2[0-9]/held-out-??/time_to_target.json"
compare "$K3_TRIAL:prodigy-trial" "$K3:prodigy-cosine"
echo "## Five candidates, the same 55 tasks: the recommended switch against Adam at 3e-3"
K5_REC="$R/round22/recommended-marked-5c/time_to_target.json+$R/round2[0-9]/held-out-*-5c/time_to_target.json"
K5_FIXED="$R/round19/seen/*/time_to_target.json+$R/round2[0-9]/held-out-*-5c/time_to_target.json"
compare "$K5_REC:race-multiples-undo" "$K5_FIXED:adam-3e-3"
echo "## Seeds 5-9 of the 52 tasks kept aside through held-out-16 (no selector designed on them): the recommended switch"
echo "## against SGD, RMSProp and the tuned baseline with three candidates (Adam: round 28's paired.txt), and against"
echo "## Adam at 3e-3 with five"
FRESH_REC="$R/round28/fresh/time_to_target.json"
for other in sgd rmsprop; do compare "$FRESH_REC:race-multiples-undo" "$R/round29/fresh-sgd-rmsprop/time_to_target.json:$other"; done
compare "$FRESH_REC:race-multiples-undo" "$R/round29/fresh-baseline/time_to_target.json:adamw-cosine"
compare "$R/round29/fresh-5c/time_to_target.json:race-multiples-undo" "$R/round29/fresh-5c/time_to_target.json:adam-3e-3"
