#!/usr/bin/env bash
# Round 49's diagnostic (round 39's floor.sh for loss_is_log): the recommended selector with loss_is_log=True
# (race-multiples-undo-loss-is-log) and without (race-multiples-undo-kept-watch), run side by side on the five tasks kept
# aside whose loss goes below 0 (held-out-3's heteroscedastic-nll, held-out-11's mixture-density-mlp, held-out-16's
# policy-gradient-bandit, held-out-22's vqe-ising-circuit, held-out-31's dirichlet-regression), seeds 0-4, three
# candidates; each against the fixed candidates' stored runs of those splits, and against round 39's floor
# (value=loss + 20) on its four tasks. Spent splits, not blind: a measurement, not a rule's test.
# Run from the repository's root:
# bash benchmarks/results/round49/loss_is_log_spent.sh > benchmarks/results/round49/loss_is_log_spent.txt
set -euo pipefail
source benchmarks/results/run_files.sh
with_held_out_through 31
S="$R/round49/spent-loss-is-log/time_to_target.json"
T=heteroscedastic-nll,mixture-density-mlp,policy-gradient-bandit,vqe-ising-circuit,dirichlet-regression
on_tasks() {
  echo "\$ python -m benchmarks.suite.paired $1 $2 --tasks $3"
  python -m benchmarks.suite.paired "$1" "$2" --tasks "$3"
  echo
}
echo "## loss_is_log=True against the recommended switch as it is"
on_tasks "$S:race-multiples-undo-loss-is-log" "$S:race-multiples-undo-kept-watch" "$T"
for fixed in adam sgd rmsprop; do
  echo "## With loss_is_log=True, then without, against $fixed alone (its stored runs)"
  on_tasks "$S:race-multiples-undo-loss-is-log" "$K3:$fixed" "$T"
  on_tasks "$S:race-multiples-undo-kept-watch" "$K3:$fixed" "$T"
done
echo "## loss_is_log=True against round 39's floor (value=loss + 20), on its four tasks"
on_tasks "$S:race-multiples-undo-loss-is-log" "$R/round39/floor/time_to_target.json:race-multiples-undo-floor" \
  heteroscedastic-nll,mixture-density-mlp,policy-gradient-bandit,vqe-ising-circuit
