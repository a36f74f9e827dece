#!/usr/bin/env bash
# Round 44: round 14's held-out-loss race against the recommended switch, run by run, on the seven tasks where the
# switch falls short while ahead on the training loss (benchmarks/results/round44/HELD_OUT_LOSS.md; both ran side by side,
# three candidates, seeds 0-4).
# Run from the repository's root:
# bash benchmarks/results/round44/held_out_loss.sh > benchmarks/results/round44/held_out_loss.txt
set -euo pipefail
source benchmarks/results/run_files.sh
RUNS="$R/round44/held-out-loss/a/time_to_target.json+$R/round44/held-out-loss/b/time_to_target.json"
compare "$RUNS:race-multiples-undo-held-out" "$RUNS:race-multiples-undo"
