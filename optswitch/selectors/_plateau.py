"""``plateau``: moves to the next candidate when the loss stops improving."""

from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

from optswitch.selectors._base import Selector, default_float, for_names
from optswitch.selectors._settings import check_count, check_number, check_order, resolve_order


class PlateauState(NamedTuple):
    """State of :func:`plateau`.

    Attributes:
        best: ``[]``, the best averaged loss so far (``inf`` at first).
        plateau_count: int32 ``[]``, evaluations since the loss last improved.
        cooldown_count: int32 ``[]``, evaluations left to wait after a move.
        count: int32 ``[]``, losses accumulated toward the next evaluation.
        average: ``[]``, their mean.
    """

    best: jax.Array
    plateau_count: jax.Array
    cooldown_count: jax.Array
    count: jax.Array  # type: ignore[assignment]  # a counter, named so on purpose: it shadows tuple.count
    average: jax.Array


def plateau(
    order: Sequence[str | int] | None = None,
    *,
    patience: int,
    rtol: float = 1e-4,
    atol: float = 0.0,
    cooldown: int = 0,
    accumulation_size: int = 1,
    cycle: bool = False,
) -> Selector:
    """Moves to the next candidate when the loss stops improving.

    The rule of ``optax.contrib.reduce_on_plateau``, with "reduce the learning rate" replaced by "move to the
    next candidate": the loss (``value=``) is averaged over ``accumulation_size`` updates, and each average
    ``L`` is an evaluation. An evaluation improves when

        ``L < (1 - rtol) * best - atol``,

    and then ``best = L``. After ``patience`` evaluations in a row without improvement, the selector moves
    to the next candidate of ``order`` and waits ``cooldown`` evaluations (which count no plateau) before it
    watches again. A move goes from the candidate active now, so after a switch made from the host with
    :func:`optswitch.set_active` the selector carries on from that candidate (to the first of ``order`` if it
    is not in ``order``). At the last candidate it stays, or wraps around to the first when ``cycle=True``. As in
    ``reduce_on_plateau``, ``best`` carries over a move: the next candidate has to beat the loss the previous
    one reached.

    Args:
        order: the candidates to move through, by name or index; default every candidate, in order. The
            first makes update 0.
        patience: evaluations without improvement before a move, an int >= 1.
        rtol: relative improvement an evaluation needs, in ``[0, 1]``.
        atol: absolute improvement an evaluation needs, >= 0 (``rtol`` and ``atol`` not both 0).
        cooldown: evaluations to wait after a move, an int >= 0.
        accumulation_size: updates averaged into one evaluation, an int >= 1; more than 1 for a noisy
            minibatch loss.
        cycle: whether to go back to the first candidate after the last.

    Returns:
        A :class:`Selector` that reads the loss: ``update`` needs ``value=``.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)}, optswitch.selectors.plateau(patience=3))
        >>> params = {"w": jnp.ones(3)}
        >>> state = tx.init(params)
        >>> for _ in range(6):  # the loss never improves on its first value
        ...     _, state = tx.update(params, state, params, value=jnp.asarray(1.0))
        >>> optswitch.summary(state).switches
        [(4, 'adam', 'sgd')]

    References:
        ``optax.contrib.reduce_on_plateau``; Keras ``ReduceLROnPlateau``.
    """
    check_count("plateau", "patience", patience, 1)
    check_count("plateau", "cooldown", cooldown, 0)
    check_count("plateau", "accumulation_size", accumulation_size, 1)
    check_number("plateau", "rtol", rtol, 0.0, 1.0)
    check_number("plateau", "atol", atol, 0.0)
    if rtol == 0.0 and atol == 0.0:
        raise ValueError("plateau: rtol and atol are both 0, so any noise counts as improvement; make one positive.")
    check_order("plateau", order)

    def build(names):
        sequence: list[int] = [] if names is None else resolve_order(order, names, "plateau order")

        def select(signals, state):
            count = optax.safe_increment(state.count)
            average = (state.count * state.average + signals.loss.astype(state.average.dtype)) / count
            evaluate = count == accumulation_size
            improved = average < (1 - rtol) * state.best - atol
            plateau_count = jnp.where(improved, 0, optax.safe_increment(state.plateau_count))
            cooling = state.cooldown_count > 0
            move = evaluate & ~cooling & (plateau_count == patience)
            # Where the active candidate is in the order (-1 if it is not in it): a move goes on from there.
            in_order = jnp.asarray(sequence, jnp.int32)
            at = in_order == signals.active
            following = jnp.where(jnp.any(at), jnp.argmax(at), -1) + 1
            last = len(sequence) - 1
            following = jnp.where(following > last, 0 if cycle else last, following)
            evaluated = PlateauState(
                best=jnp.where(improved, average, state.best),
                plateau_count=jnp.where(cooling | move, 0, plateau_count),
                cooldown_count=jnp.where(cooling, state.cooldown_count - 1, jnp.where(move, cooldown, 0)),
                count=jnp.zeros_like(count),
                average=jnp.zeros_like(average),
            )
            accumulated = state._replace(count=count, average=average)
            new_state = optax.tree.where(evaluate, evaluated, accumulated)
            return jnp.where(move, in_order[following], signals.active), new_state

        return Selector(
            init=init,
            select=select,
            reads=frozenset({"loss"}),
            initial=lambda names: sequence[0],
            name="plateau",
            explain=explainer(patience, accumulation_size),
            bind=build,
        )

    def init(names):
        dtype = default_float()
        zero = lambda dtype=jnp.int32: jnp.zeros([], dtype)
        return PlateauState(
            best=jnp.full([], jnp.inf, dtype),
            plateau_count=zero(),
            cooldown_count=zero(),
            count=zero(),
            average=zero(dtype),
        )

    return for_names(build)


def explainer(patience: int, accumulation_size: int):
    """Why :func:`plateau` moved (:attr:`Selector.explain`): ``"no improvement in 2 evaluations, best 0.412"``."""
    evaluations = f"{patience} evaluation{'' if patience == 1 else 's'}"
    if accumulation_size > 1:
        evaluations += f" of {accumulation_size} updates"

    def explain(signals, before: PlateauState, after: PlateauState):
        del signals, before
        text = lambda numbers, names: f"no improvement in {evaluations}, best {numbers['best']:.4g}"
        return {"best": after.best}, text

    return explain


def key_numbers(state: PlateauState, names: tuple[str, ...]) -> dict[str, jax.Array]:
    """The numbers of :func:`optswitch.metrics` for :func:`plateau`: the best loss, evaluations since."""
    del names
    return {"best": state.best, "evaluations_without_improvement": state.plateau_count}
