"""The fused and the unfused step make the same choices on the suite's tasks (issue 11, item 7).

Each task runs at its quick size through the suite's harness twice from one seed: once with the switch as it is
(the train step calls ``update_and_apply``) and once with its ``init`` and ``update`` alone (the train step then
calls ``update`` and ``optax.apply_updates``). The two are the same maths up to rounding; a selector whose
decisions need a margin to be real must not let that rounding change a choice. The recommended switch keeps
snapshots: on the unfused path an undo lands on them through ``snapshot - params`` as the update, up to rounding
too.
"""

import optax
import pytest

import optswitch
from benchmarks.suite import harness, tasks
from optswitch import demo


def switch(task: tasks.Task) -> optswitch.SwitchTransformation:
    """The switch under test, one line to change: the recommended one (race over the learning-rate multiples,
    stepped down, damaging legs undone from snapshots), as the suite and the demo run it."""
    return demo.recommended_switch(task.budget)


#: The development tasks and two validation tasks of other kinds (a tabular classifier, a recurrent network); not the
#: two regression MLPs, whose runs add no kind of model or decision to these and cost about a minute of CI's time,
#: nor the character transformer (74 CPU s, the most of any test here): its kind of model is the Flax nnx user loop's,
#: whose own unfused optimizer tests/test_user_loop.py checks makes the same switches and undos.
#: Not the held-out tasks, which selectors see only in the suite's recorded runs of them (benchmarks/README.md,
#: round 8), so that no design reads them, nor the later held-out splits' tasks (tasks.KEPT_ASIDE), on which no
#: selector runs before their one run with the defaults frozen.
TASKS = [name for name in tasks.TASKS if tasks.SPLITS[name] == "development" and name != "shakespeare-char"] + [
    "breast-cancer-mlp",
    "adding-gru",
]


def quick_task(name: str) -> tasks.Task:
    return tasks.TASKS[name](quick=True)


def unfused(tx: optswitch.SwitchTransformation) -> optax.GradientTransformationExtraArgs:
    """The switch without ``update_and_apply``: the harness's train step falls back to ``update``."""
    return optax.GradientTransformationExtraArgs(tx.init, tx.update)


@pytest.mark.parametrize("name", TASKS)
def test_fused_and_unfused_make_the_same_choices(name):
    task = quick_task(name)
    tx = switch(task)
    assert hasattr(tx, "update_and_apply") and not hasattr(unfused(tx), "update_and_apply")
    fused_run = harness.run(task, tx, seed=0)
    unfused_run = harness.run(task, unfused(tx), seed=0)
    assert not fused_run.diverged and not unfused_run.diverged
    first_difference = next(
        (pair for pair in zip(fused_run.switches, unfused_run.switches, strict=False) if pair[0] != pair[1]), None
    )
    assert fused_run.switches == unfused_run.switches, (
        f"{name}: first difference {first_difference} (fused, unfused); fused {fused_run.switches}, "
        f"unfused {unfused_run.switches}"
    )
    assert fused_run.active[-1] == unfused_run.active[-1]
    assert fused_run.steps_per_candidate == unfused_run.steps_per_candidate
