#!/usr/bin/env bash
# Round 39's diagnostic: the recommended switch fed loss + 20 (race-multiples-undo-floor, the README's
# value=loss - floor with a floor of -20) on the four tasks kept aside whose loss goes below 0 (heteroscedastic-nll,
# mixture-density-mlp, policy-gradient-bandit, vqe-ising-circuit), seeds 0-4, three candidates: run by run against the
# recommended switch fed the raw loss (its stored runs) and against each fixed candidate, and the recommended switch
# against each fixed candidate on the same tasks. A measurement of what the README's advice gives, not a candidate for
# a default. The run files: run_files.sh.
# Run from the repository's root: bash benchmarks/results/round39/floor.sh > benchmarks/results/round39/floor.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_22
F="$R/round39/floor/time_to_target.json"
T=heteroscedastic-nll,mixture-density-mlp,policy-gradient-bandit,vqe-ising-circuit
on_tasks() {
  echo "\$ python -m benchmarks.suite.paired $1 $2 --tasks $T"
  python -m benchmarks.suite.paired "$1" "$2" --tasks "$T"
  echo
}
echo "## The floor against the raw loss"
on_tasks "$F:race-multiples-undo-floor" "$K3:race-multiples-undo"
for fixed in adam sgd rmsprop; do
  echo "## The floor, then the raw loss, against $fixed alone"
  on_tasks "$F:race-multiples-undo-floor" "$K3:$fixed"
  on_tasks "$K3:race-multiples-undo" "$K3:$fixed"
done
