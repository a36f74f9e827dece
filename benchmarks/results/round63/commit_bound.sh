#!/usr/bin/env bash
# Round 63, on the splits already run (before held-out-45's blind runs): how far a selector that commits once, at a fair
# trial's end, the race's end, a quarter or half of the budget, to the fixed candidate leading on the training loss
# then (on the same seed), could get at best, the committed candidate's steps counted as if it had run from the start,
# beside the recommended switch's own count, over every split kept aside (validation, held-out through held-out-44),
# three candidates and five, seeds 0-4 and 5-9 (benchmarks/diagnostics/commit_bound.py). The run files: run_files.sh.
# Run from the repository's root:
# bash benchmarks/results/round63/commit_bound.sh > benchmarks/results/round63/commit_bound.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 44
commit_bound_report
