"""``recommended``: the selector the README recommends, from the run's length alone."""

from optswitch.selectors._base import Selector, for_names
from optswitch.selectors._race import default_window, race
from optswitch.selectors._settings import check_count
from optswitch.selectors._step_down import step_down
from optswitch.selectors._undo import undo_if_worse

#: The shortest run :func:`recommended` takes: its stall windows (``run_length // 20``) need 3 updates.
MIN_RUN_LENGTH = 60


def recommended(run_length: int, *, warmup: int = 0, loss_is_log: bool = False) -> Selector:
    """The recommended selector for a run of ``run_length`` updates over :func:`optswitch.learning_rate_multiples`.

    Races the candidates at 3x and at 1x their learning rates, trains with the winner, steps it down to its own
    rate half-way (or earlier, once a 3x copy's loss stops falling), and undoes any leg that left the loss higher
    than where it began. It is exactly::

        undo_if_worse(
            step_down(race(run_length=run_length, warmup=warmup, stop=run_length // 2),
                      at=run_length // 2, stall=run_length // 20),
            max(run_length // 100, 3),
            keep_watch=True,
        )

    - :func:`race`: legs of 1% of the run over every copy (shorter beyond six copies, so that the race takes at
      most 12% of the run), the 3x copies first so that near-ties go to them; then the winner, re-checked against
      the runner-up at geometrically spaced updates; no decision from half-way on.
    - :func:`step_down`: from half-way on, or from the end of a window of 5% of the run over which the active 3x
      copy's loss did not fall, the pick runs at its candidate's own learning rate (a step decay).
    - :func:`undo_if_worse`: a leg (or a duel, or a step down) whose log loss ends above where it began by more than
      its noise is undone, parameters and optimizer states put back. A switch that comes before the watched one
      can be judged (an undo, a rescue, a leg of fewer than 3 updates) keeps the watch (``keep_watch=True``, since
      round 49). It keeps a snapshot of the parameters and a copy of the optimizer states: where memory is tight,
      compose the first two without it.

    What it achieves, and where it falls short (it does not beat one optimizer whose learning rate and schedule
    were tuned for the task), is measured in the project's ``benchmarks/README.md``. To change a setting, compose
    the three yourself.

    Args:
        run_length: the run's length in updates, an int >= ``MIN_RUN_LENGTH`` (60): it sets every window, the
            step down and the end of the decisions.
        warmup: updates before the race's first leg, during which the first candidate trains (give a learning
            rate warmup's length, so that the race does not compare candidates at a tiny rate); an int >= 0,
            default 0. The race must end by half-way: ``warmup + 2 x copies x window <= run_length // 2``.
        loss_is_log: whether the loss is a logarithm already (a negative log-likelihood, which may be 0 or less):
            the race, the stall watch and the guard then read the loss itself where they would read ``log(loss)``
            (each of the three is given it), and every update counts. Default False.

    Returns:
        A :class:`Selector` that reads the loss (``update`` needs ``value=``, a loss > 0: it reads ``log(loss)`` and
        skips any other; where the loss can reach 0 or go below, pass ``loss_is_log=True`` for a negative
        log-likelihood, or ``value=loss - floor``) and keeps snapshots (``update`` needs ``params``, or use
        ``update_and_apply``).

    Raises:
        ValueError: for a ``run_length`` or ``warmup`` out of range, or (when the switch is built) candidates that
            are not copies made by :func:`optswitch.learning_rate_multiples`, or a warmup that leaves the race no
            time to end by half-way.

    Examples:
        >>> import optax, optswitch
        >>> candidates = optswitch.learning_rate_multiples({"adam": optax.adam(1e-3), "sgd": optax.sgd(1e-2)})
        >>> tx = optswitch.switch(candidates, optswitch.selectors.recommended(run_length=1000))
        >>> tx.names
        ('adam-x3', 'sgd-x3', 'adam', 'sgd')
    """
    check_count("recommended", "run_length", run_length, MIN_RUN_LENGTH, " (its stall windows, 5% of it, need 3)")
    check_count("recommended", "warmup", warmup, 0, " (updates before the race begins)")
    half = run_length // 2
    raced = race(run_length=run_length, warmup=warmup, stop=half, loss_is_log=loss_is_log)
    stepped = step_down(raced, at=half, stall=run_length // 20, loss_is_log=loss_is_log)
    guarded = undo_if_worse(stepped, max(run_length // 100, 3), keep_watch=True, loss_is_log=loss_is_log)

    def build(names: tuple[str, ...] | None) -> Selector:
        if names is None:
            return guarded
        window = default_window(run_length, len(names))
        race_end = warmup + 2 * len(names) * window
        if race_end > half:
            raise ValueError(
                f"recommended: the race over {len(names)} candidates ends at update {race_end} (warmup {warmup} + "
                f"2 x {len(names)} legs of {window}), after half the run ({half} of run_length={run_length}), where "
                f"it must have decided; pass a longer run_length, a shorter warmup, or fewer candidates."
            )
        return guarded.bound(names)

    return for_names(build)
