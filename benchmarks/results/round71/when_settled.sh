#!/usr/bin/env bash
# Round 71 (round 70's, with held-out-53): when the best fixed candidate's lead on its own training loss settles,
# against the recommended switch's decisions (by the race's end; after it and before half the budget, while the duels
# still decide; from half the budget on, after the last decision; never), on each task some fixed candidate reaches,
# counted apart for the tasks the switch reaches within 1.15x and those it does not, and for SGD best or another, over
# every split kept aside (validation, held-out through held-out-53), three candidates and five, seeds 0-4 and 5-9
# (benchmarks/diagnostics/train_lead.py with --when-settled; its task-by-task listing is train_lead.txt's). The run
# files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round71/when_settled.sh > benchmarks/results/round71/when_settled.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 53
when_settled_report
