#!/usr/bin/env bash
# Round 71 (round 46's, with held-out-53): whether the fixed candidate that gets there first already leads on the
# training loss when the recommended switch's race has run its legs (the short horizon of round 44's reading), on each
# task some fixed candidate reaches, counted apart for the tasks the switch reaches within 1.15x and those it does not,
# and for SGD best or another, over every split kept aside (validation, held-out through held-out-53), three candidates
# and five, seeds 0-4 and 5-9 (benchmarks/diagnostics/train_lead.py). The run files: run_files.sh.
# Run from the repository's root: bash benchmarks/results/round71/train_lead.sh > benchmarks/results/round71/train_lead.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 53
train_lead_report
