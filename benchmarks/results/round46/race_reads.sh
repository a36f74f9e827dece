#!/usr/bin/env bash
# Round 46: whether the race's legs, read per log update (each leg's rate times the update count at its middle, the
# local exponent of a power law) or by each copy's second leg only, would name the candidate that gets there first more
# often than the race's mean rate per update (benchmarks/diagnostics/race_reads.py): on the development tasks
# (development, development-2, development-3; not the character transformer, which needs its text; then development-4),
# then, as a reading only, on the four spent tasks where SGD gets there first and the race hands the run to Adam's
# copies and on four where Adam gets there first, seeds 0-4. No selector runs beyond the race's first decision.
# Run from the repository's root: bash benchmarks/results/round46/race_reads.sh > benchmarks/results/round46/race_reads.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 29
reads() { echo "\$ python -m benchmarks.diagnostics.race_reads $*"; python -m benchmarks.diagnostics.race_reads "$@"; echo; }
DEV="$R/time_to_target.json+$R/development-2/time_to_target.json+$R/development-3/time_to_target.json"
echo "## Development tasks"
reads --fixed "$DEV:adam,sgd,rmsprop" --seeds 0-4 --tasks \
  digits-mlp,mnist1d-cnn,noisy-quadratic,nuisance-feature-regression,fir-system-identification,soft-label-logistic,huber-robust-regression,procrustes-alignment,range-localization
echo "## Development-4 (built this round: SGD first, its early lead narrow)"
reads --fixed "$R/development-4/time_to_target.json:adam,sgd,rmsprop" --seeds 0-4 --tasks \
  rotated-gaussian-softmax,linear-filter-bank,bpr-factorization
echo "## Spent tasks kept aside: four where SGD gets there first, four where Adam does"
reads --fixed "$K3:adam,sgd,rmsprop" --seeds 0-4 --tasks \
  lru-forecast,rff-hinge-svm,rotated-softmax,sinkhorn-matching,complex-kg-completion,tucker-completion,capsule-tetrominoes,fno-burgers
