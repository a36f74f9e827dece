"""The suite's training problems: each a model, a train/validation split on device, and a validation metric.

Every task is offline and deterministic for a seed. Its data are device arrays passed to its functions as an argument,
never closed over, which would bake them into the compiled program as constants (slow to compile, a copy per program).

Add a task by writing a builder ``fn(*, quick, **options) -> Task`` in the module of its split, one of
:data:`SPLIT_MODULES`, and adding it to that module's ``TASKS``; :data:`TASKS`, :data:`SPLITS` and :data:`BUILDERS`
gather them, and each builder is an attribute of this package by its function's name (``tasks.digits_mlp``). Selectors
are designed and tuned on the *development* tasks, and on the *development-2* tasks (added after round 44, where SGD
with momentum reaches the target first), the *development-3* ones (after round 45, where SGD alone also has the lowest
training loss from early on), the *development-4* ones (round 46, the same with SGD's early lead narrow), the
*development-5* ones (round 49, whose training loss is below 0) and the *development-6* ones (round 69, where SGD with
momentum then Adam from one update is sooner than SGD alone and no smaller SGD step is), which run only when asked
(``--split development-N``); the *validation* tasks are kept aside and run only when asked (``--split validation``),
with the defaults frozen. Each *held-out* split (``held-out``, ``held-out-2``, ..., ``held-out-54``) was added in one
round for a later one (from held-out-3 on, by someone who ran no selector on it), is kept aside from every design, the
earlier splits' included, and is run once (``--split held-out-N``) with the defaults frozen, to check a change made
after the earlier splits had been seen (which round built and which ran each: benchmarks/README.md). Each split's tasks,
and the helpers only they use, are in a module of their own (``development``, ``development_2`` to ``development_6``,
``validation``, ``held_out_01`` for the held-out tasks, ``held_out_02`` to ``held_out_54``); the helpers that tasks of
several splits use, and :class:`Task`, are in ``_common``.
"""

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from benchmarks.suite.tasks import (
    development,
    development_2,
    development_3,
    development_4,
    development_5,
    development_6,
    held_out_01,
    held_out_02,
    held_out_03,
    held_out_04,
    held_out_05,
    held_out_06,
    held_out_07,
    held_out_08,
    held_out_09,
    held_out_10,
    held_out_11,
    held_out_12,
    held_out_13,
    held_out_14,
    held_out_15,
    held_out_16,
    held_out_17,
    held_out_18,
    held_out_19,
    held_out_20,
    held_out_21,
    held_out_22,
    held_out_23,
    held_out_24,
    held_out_25,
    held_out_26,
    held_out_27,
    held_out_28,
    held_out_29,
    held_out_30,
    held_out_31,
    held_out_32,
    held_out_33,
    held_out_34,
    held_out_35,
    held_out_36,
    held_out_37,
    held_out_38,
    held_out_39,
    held_out_40,
    held_out_41,
    held_out_42,
    held_out_43,
    held_out_44,
    held_out_45,
    held_out_46,
    held_out_47,
    held_out_48,
    held_out_49,
    held_out_50,
    held_out_51,
    held_out_52,
    held_out_53,
    held_out_54,
    validation,
)
from benchmarks.suite.tasks._common import Task
from benchmarks.suite.tasks.development import DEFAULT_TEXT

__all__ = [
    "BUILDERS",
    "DEFAULT_TEXT",
    "DEVELOPMENT_SPLITS",
    "KEPT_ASIDE",
    "SPLITS",
    "SPLIT_MODULES",
    "TASKS",
    "Task",
    "validation_sampler",
]


def validation_sampler(task: Task) -> Callable[[Any, jax.Array], Any] | None:
    """How ``task`` draws a validation batch for its ``loss``; None where the training loss is already held out.

    ``task.sample_validation`` where the task gives one. Otherwise, where ``task.data`` holds training arrays
    (``x_train``, ``train``, ...) and each has a validation twin of the same rank (``x_val``, ``val``), ``task.sample``
    on the data with every training array replaced by its twin. Otherwise None: the task draws every training batch
    afresh (a generator, not a fixed training set), so its training loss on a batch not yet trained on is a held-out
    loss already.

    Examples:
        >>> task = TASKS["digits-mlp"](quick=True)
        >>> x, y = validation_sampler(task)(task.data, jax.random.key(0))
        >>> bool(jnp.isin(x[:, None], task.data["x_val"]).all(-1).any(-1).all())  # every row is a validation row
        True
        >>> print(validation_sampler(TASKS["noisy-quadratic"](quick=True)))
        None
    """
    if task.sample_validation is not None:
        return task.sample_validation
    if not isinstance(task.data, dict):
        return None
    twins = {}
    for name, array in task.data.items():
        if name == "train" or name.endswith("_train"):
            twin = name[: -len("train")] + "val"
            if twin not in task.data or jnp.ndim(task.data[twin]) != jnp.ndim(array):
                return None
            twins[name] = twin
    if not twins:
        return None
    return lambda data, key: task.sample({**data, **{name: data[twin] for name, twin in twins.items()}}, key)


#: The modules of the splits, in the order of the tables: each names its split (``SPLIT``) and its task builders
#: by name (``TASKS``), from which :data:`TASKS`, :data:`SPLITS` and :data:`KEPT_ASIDE` are gathered.
SPLIT_MODULES = (
    development,
    development_2,
    development_3,
    development_4,
    development_5,
    development_6,
    validation,
    held_out_01,
    held_out_02,
    held_out_03,
    held_out_04,
    held_out_05,
    held_out_06,
    held_out_07,
    held_out_08,
    held_out_09,
    held_out_10,
    held_out_11,
    held_out_12,
    held_out_13,
    held_out_14,
    held_out_15,
    held_out_16,
    held_out_17,
    held_out_18,
    held_out_19,
    held_out_20,
    held_out_21,
    held_out_22,
    held_out_23,
    held_out_24,
    held_out_25,
    held_out_26,
    held_out_27,
    held_out_28,
    held_out_29,
    held_out_30,
    held_out_31,
    held_out_32,
    held_out_33,
    held_out_34,
    held_out_35,
    held_out_36,
    held_out_37,
    held_out_38,
    held_out_39,
    held_out_40,
    held_out_41,
    held_out_42,
    held_out_43,
    held_out_44,
    held_out_45,
    held_out_46,
    held_out_47,
    held_out_48,
    held_out_49,
    held_out_50,
    held_out_51,
    held_out_52,
    held_out_53,
    held_out_54,
)

#: Task builders by name, in the order of the tables: split by split, in the order of :data:`SPLIT_MODULES`.
TASKS: dict[str, Callable[..., Task]] = {
    name: builder for module in SPLIT_MODULES for name, builder in module.TASKS.items()
}

#: Each task's split: ``"development"``, ``"development-2"``, ``"development-3"``, ``"development-4"``,
#: ``"development-5"`` or ``"development-6"`` (selectors are designed and tuned on these; the last five run only when
#: asked), ``"validation"`` (kept aside, run with the defaults frozen, only when asked), or one of ``"held-out"``,
#: ``"held-out-2"``, ..., ``"held-out-54"``: each added in one round for a later one, built by someone who ran no
#: selector on it, kept aside from every design and run once with the defaults frozen (which round built and which ran
#: each: benchmarks/README.md).
SPLITS: dict[str, str] = {name: module.SPLIT for module in SPLIT_MODULES for name in module.TASKS}

#: The splits kept aside from every design: no selector is tuned on them, and what selectors read (rate noise,
#: the fused/unfused choices) is not measured on them.
KEPT_ASIDE = tuple(module.SPLIT for module in SPLIT_MODULES if module.SPLIT.startswith("held-out"))

#: The splits open to every design: ``"development"``, run by default, and ``"development-2"``, ``"development-3"``,
#: ``"development-4"``, ``"development-5"`` and ``"development-6"``, run when asked.
DEVELOPMENT_SPLITS = tuple(module.SPLIT for module in SPLIT_MODULES if module.SPLIT.startswith("development"))

#: Every task builder by its function's name (``"digits_mlp"``), each of which this package also gives as an attribute
#: (``tasks.digits_mlp``) from the split module that defines it.
BUILDERS: dict[str, Callable[..., Task]] = {builder.__name__: builder for builder in TASKS.values()}


def __getattr__(name: str) -> Callable[..., Task]:
    """A task builder by its function's name, so that ``tasks.digits_mlp`` needs no import line here per task."""
    if name in BUILDERS:
        return BUILDERS[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *BUILDERS])
