#!/usr/bin/env bash
# Round 25: benchmarks.suite.paired over the stored runs (python -m benchmarks.suite.paired A B, each side FILES:CONTENDER).
set -euo pipefail
R=benchmarks/results
K3="$R/round19/seen/*/time_to_target.json+$R/round2[0-4]/held-out-?/time_to_target.json+$R/round2[0-4]/held-out-??/time_to_target.json"
K3_TRIAL="$R/round20/seen/*/time_to_target.json+$R/round2[0-4]/held-out-?/time_to_target.json+$R/round2[0-4]/held-out-??/time_to_target.json"
K5_REC="$R/round22/recommended-marked-5c/time_to_target.json+$R/round2[0-4]/held-out-*-5c/time_to_target.json"
K5_FIXED="$R/round19/seen/*/time_to_target.json+$R/round2[0-4]/held-out-*-5c/time_to_target.json"
XEON="$R/round22/recommended-marked-3c/time_to_target.json+$R/round22/held-out-1?/time_to_target.json+$R/round23/held-out-12/time_to_target.json"
compare() { echo "\$ python -m benchmarks.suite.paired $1 $2"; python -m benchmarks.suite.paired "$1" "$2"; echo; }
echo "## The 43 tasks kept aside (validation .. held-out-13), three candidates, seeds 0-4: the recommended switch against each contender"
for other in adam sgd rmsprop prodigy-cosine adamw-cosine; do compare "$K3:race-multiples-undo" "$K3:$other"; done
echo "## Prodigy checked once against Adam (round 20) against Prodigy alone, the same tasks"
compare "$K3_TRIAL:prodigy-trial" "$K3:prodigy-cosine"
echo "## Five candidates, the same tasks: the recommended switch against Adam at 3e-3"
compare "$K5_REC:race-multiples-undo" "$K5_FIXED:adam-3e-3"
echo "## Round 23's and round 24's variants against the recommended switch (the tasks kept aside then, one machine each)"
compare "$R/round23/seen-ties/time_to_target.json:race-multiples-undo-ties" "$R/round22/recommended-marked-3c/time_to_target.json:race-multiples-undo"
compare "$R/round24/seen-extend/time_to_target.json:race-multiples-undo-extend" "$R/round24/seen-recommended/time_to_target.json:race-multiples-undo"
echo "## The same code on two processors: the recommended switch on the AMD EPYC (round 24) against the Intel Xeon (rounds 22-23)"
compare "$R/round24/seen-recommended/time_to_target.json:race-multiples-undo" "$XEON:race-multiples-undo"
