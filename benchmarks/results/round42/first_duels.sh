#!/usr/bin/env bash
# Round 41's diagnostic, run again in round 42 with held-out-25: whether the recommended switch's first duel with
# another family, after the race, moves a run toward the family that gets there first, over every split kept aside
# (validation, held-out through held-out-25), three candidates and five, seeds 0-4 and 5-9
# (benchmarks/diagnostics/first_duels.py). The run files: run_files.sh.
# Run from the repository's root: bash benchmarks/results/round42/first_duels.sh > benchmarks/results/round42/first_duels.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 25
duels() { echo "\$ python -m benchmarks.diagnostics.first_duels $*"; python -m benchmarks.diagnostics.first_duels "$@"; echo; }
echo "## Seeds 0-4"
duels --switch "$K3:race-multiples-undo" --fixed "$K3:adam,sgd,rmsprop"
echo "## Seeds 5-9"
duels --switch "$FRESH_REC:race-multiples-undo" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop"
echo "## Five candidates, seeds 0-4 (the first duel with another candidate: Adam at another rate counts)"
duels --switch "$K5_SWITCH:race-multiples-undo" --fixed "$K3+$A34:adam,adam-3e-3,sgd,rmsprop" --fixed "$A34:adam-3e-4"
echo "## Five candidates, seeds 5-9"
duels --switch "$F5:race-multiples-undo" --fixed "$FRESH_ADAM:adam" --fixed "$FRESH_SR:sgd,rmsprop" \
  --fixed "$F5:adam-3e-4,adam-3e-3"
