"""Selectors: the rules that pick, on device, which candidate makes the next update.

A selector is a pure function of :class:`optswitch.Signals` and its own state. It knows nothing of optax
states; the switch feeds it the signals it asks for (see :attr:`Selector.reads`) and routes the next update
to the candidate it returns.

Built in: :func:`manual` and :func:`schedule` (decided in advance), :func:`plateau` (the loss stopped
improving), :func:`swats` (Adam to SGD when Adam's step settles, Keskar & Socher 2017), :func:`bandit` (the
candidate that has been reducing the loss fastest), :func:`noise_scale` (the gradient becomes mostly noise,
McCandlish et al. 2018) and :func:`race` (the winner of a short race, re-checked against the runner-up now
and then); :func:`custom` makes one from two functions.

Every selector leaves its state unchanged on an update whose signals it reads are not finite: the switch
skips it, as if that update had not happened. Counters that a selector keeps in its own state therefore
count the updates it saw, which ``Signals.step`` does not.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from optswitch import _names
from optswitch import handoff as handoff_lib
from optswitch.handoff import Context, Handoff
from optswitch.signals import MEASURED, REQUESTABLE, Probe, Signals, accumulator

SelectorState = Any
Reads = frozenset[str] | Mapping[str | int, frozenset[str]]


class Selector(NamedTuple):
    """A rule that picks the candidate for the next update, run on device after each update.

    Attributes:
        init: ``init(names) -> state``: the selector's initial state, a pytree of arrays, given the
            candidates' names in order. It may raise to reject a configuration (an unknown name, say):
            :func:`optswitch.switch` calls it once when it is built, so mistakes surface there.
        select: ``select(signals, state) -> (index, state)``: after update ``signals.step``, the index
            (an int32 scalar) of the candidate that makes the next update, and the new state. Pure and
            jittable.
        reads: the signals ``select`` reads, out of ``"loss"``, ``"grad_sq_norm"``, ``"update_sq_norm"``,
            ``"update_dot_grad"`` and ``"probe"``; the others are not computed and hold NaN. ``step``,
            ``active``, ``steps_in_active`` and ``extra`` are always there. Either one set for every
            candidate, or a mapping from candidate (name or index) to what the selector reads after that
            candidate's updates, the candidates left out reading nothing: each measured signal is a full pass
            over the parameters, so a selector that needs a reduction only while one candidate is active
            (SWATS) says so, and the other candidates' updates skip it.
        initial: ``initial(names) -> index | None``: the candidate the selector wants for update 0, or None
            to leave that to ``switch(initial=...)``.
        name: what the selector is, for summaries.
        handoff: a :class:`optswitch.handoff.Handoff` that the switch runs on the update after each switch,
            after its ``on_switch``: for a selector whose decision sets something in the incoming
            candidate's state (SWATS sets SGD's learning rate). None for none.
        probe: a :class:`optswitch.Probe`, a measurement beyond the core signals, which ``select`` reads as
            ``signals.probe`` after the updates of the candidates whose ``reads`` include ``"probe"``.
    """

    init: Callable[[tuple[str, ...]], SelectorState]
    select: Callable[[Signals, SelectorState], tuple[jax.Array, SelectorState]]
    reads: Reads = frozenset()
    initial: Callable[[tuple[str, ...]], int | None] = lambda names: None
    name: str = "selector"
    handoff: Handoff | None = None
    probe: Probe | None = None

    @property
    def needs_value(self) -> bool:
        """Whether ``update`` must be given the loss as ``value=``."""
        if isinstance(self.reads, Mapping):
            return any("loss" in wanted for wanted in self.reads.values())
        return "loss" in self.reads

    def reads_for(self, names: Sequence[str]) -> tuple[frozenset[str], ...]:
        """What ``select`` reads after an update by each candidate, in the candidates' order.

        Raises:
            ValueError: for an unknown signal or candidate, or ``"probe"`` read by a selector without one.
        """
        if isinstance(self.reads, Mapping):
            per_candidate = [frozenset()] * len(names)
            for key, wanted in self.reads.items():
                per_candidate[_names.resolve(key, names, what=f"{self.name} reads")] |= frozenset(wanted)
        else:
            per_candidate = [frozenset(self.reads)] * len(names)
        for wanted in per_candidate:
            unknown = wanted - REQUESTABLE
            if unknown:
                raise ValueError(f"{self.name}: unknown signals {sorted(unknown)}; choose from {sorted(REQUESTABLE)}.")
            if "probe" in wanted and self.probe is None:
                raise ValueError(f"{self.name}: reads 'probe' but has no probe; give the Selector a Probe.")
        return tuple(per_candidate)


def manual() -> Selector:
    """Keeps the active candidate until :func:`optswitch.set_active` changes it from the host.

    Reads no signal, so it adds no reduction to the update.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch({"adam": optax.adam(1e-3), "sgd": optax.sgd(1e-2)}, optswitch.selectors.manual())
        >>> state = tx.init({"w": jnp.zeros(3)})
        >>> optswitch.active(optswitch.set_active(state, "sgd"))
        'sgd'
    """
    return Selector(
        init=lambda names: (),
        select=lambda signals, state: (signals.active, state),
        name="manual",
    )


class ScheduleState(NamedTuple):
    """State of :func:`schedule`.

    Attributes:
        boundaries: int32 ``[K]``, the update indices at which the schedule acts, ascending.
        targets: int32 ``[K]``, the index of the candidate that makes updates from each boundary on.
    """

    boundaries: jax.Array
    targets: jax.Array


def schedule(boundaries: Mapping[int, str | int]) -> Selector:
    """Switches at fixed update indices.

    ``schedule({0: "adam", 5: "sgd", 12: "adam"})`` has Adam make updates 0 to 4, SGD updates 5 to 11 and
    Adam every update from 12 on. The schedule acts only at its boundaries, so a switch made from the host
    with :func:`optswitch.set_active` holds until the next boundary. A boundary at 0 sets the candidate of
    the first update; without one, ``switch(initial=...)`` does.

    Args:
        boundaries: mapping from update index (an int >= 0) to the name or index of the candidate that makes
            the updates from that index on.

    Returns:
        A :class:`Selector` that reads no signal.

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)},
        ...     optswitch.selectors.schedule({0: "adam", 2: "sgd"}))
        >>> params = {"w": jnp.ones(3)}
        >>> state = tx.init(params)
        >>> for _ in range(3):
        ...     updates, state = tx.update(params, state, params)
        >>> optswitch.summary(state).switches
        [(2, 'adam', 'sgd')]
    """
    if not isinstance(boundaries, Mapping) or not boundaries:
        raise ValueError(
            f"schedule: expected a non-empty mapping from update index to candidate, e.g. "
            f"{{0: 'adam', 1000: 'sgd'}}; got {boundaries!r}."
        )
    for step in boundaries:
        if not isinstance(step, int) or isinstance(step, bool) or step < 0:
            raise ValueError(
                f"schedule: boundary {step!r} is not an update index; boundaries are ints >= 0, the index of "
                f"the first update a candidate makes."
            )
    steps = sorted(boundaries)

    def init(names):
        targets = [_names.resolve(boundaries[step], names, what=f"schedule at step {step}") for step in steps]
        return ScheduleState(jnp.asarray(steps, jnp.int32), jnp.asarray(targets, jnp.int32))

    def select(signals, state):
        at_boundary = state.boundaries == signals.step + 1
        target = state.targets[jnp.argmax(at_boundary)]
        return jnp.where(jnp.any(at_boundary), target, signals.active), state

    def initial(names):
        return _names.resolve(boundaries[0], names, what="schedule at step 0") if 0 in boundaries else None

    return Selector(init=init, select=select, initial=initial, name="schedule")


def custom(
    init_fn: Callable[[int], SelectorState],
    select_fn: Callable[[Signals, SelectorState], tuple[jax.Array, SelectorState]],
    *,
    needs_value: bool = False,
    reads: Sequence[str] | None = None,
    probe: Probe | None = None,
) -> Selector:
    """A selector from two user functions.

    Args:
        init_fn: ``init_fn(num_candidates) -> state``, a pytree of arrays.
        select_fn: ``select_fn(signals, state) -> (next_index, state)``; the index chosen after update ``t``
            is the candidate for update ``t + 1``. An index out of range is ignored (the active candidate
            stays) and counted in the switch log, never clamped into a wrong route.
        needs_value: whether ``select_fn`` reads ``signals.loss``; then ``update`` must be given ``value=``.
        reads: which measured signals ``select_fn`` reads (default: all of ``grad_sq_norm``,
            ``update_sq_norm`` and ``update_dot_grad``); name fewer to skip their reductions. Name
            ``"probe"`` to read what ``probe`` measures.
        probe: a :class:`optswitch.Probe`, for a measurement beyond the core signals.

    Returns:
        A :class:`Selector`.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> # Hand over to SGD once the gradient norm falls below 1.
        >>> small_grads = optswitch.selectors.custom(
        ...     lambda n: (),
        ...     lambda signals, state: (jnp.where(signals.grad_sq_norm < 1.0, 1, signals.active), state),
        ...     reads=["grad_sq_norm"])
        >>> tx = optswitch.switch([optax.adam(1e-2), optax.sgd(1e-2)], small_grads)
        >>> params = {"w": jnp.full(4, 0.1)}
        >>> updates, state = tx.update(params, tx.init(params), params)
        >>> optswitch.active(state)
        '1'
    """
    wanted = frozenset(MEASURED if reads is None else reads)
    unknown = wanted - REQUESTABLE
    if unknown:
        raise ValueError(f"custom: unknown signals {sorted(unknown)}; choose from {sorted(REQUESTABLE)}.")
    if ("probe" in wanted) != (probe is not None):
        raise ValueError("custom: pass probe= together with 'probe' in reads=, or neither.")
    if needs_value:
        wanted |= {"loss"}
    return Selector(
        init=lambda names: init_fn(len(names)),
        select=select_fn,
        reads=wanted,
        name=getattr(select_fn, "__name__", "custom"),
        probe=probe,
    )


def _float() -> jnp.dtype:
    """The default float dtype: float32, or float64 under ``jax_enable_x64``."""
    return jnp.dtype(jnp.result_type(float))


def _resolve_all(keys, names, what) -> list[int]:
    indices = [_names.resolve(key, names, what=what) for key in keys]
    if len(set(indices)) != len(indices):
        raise ValueError(f"{what}: a candidate is named twice in {list(keys)}; name each once.")
    return indices


class PlateauState(NamedTuple):
    """State of :func:`plateau`.

    Attributes:
        order: int32 ``[K]``, the indices of the candidates in the order the selector moves through them.
        position: int32 ``[]``, where in ``order`` the selector is: its last move went to
            ``order[position]``.
        best: ``[]``, the best averaged loss so far (``inf`` at first).
        plateau_count: int32 ``[]``, evaluations since the loss last improved.
        cooldown_count: int32 ``[]``, evaluations left to wait after a move.
        count: int32 ``[]``, losses accumulated toward the next evaluation.
        average: ``[]``, their mean.
    """

    order: jax.Array
    position: jax.Array
    best: jax.Array
    plateau_count: jax.Array
    cooldown_count: jax.Array
    count: jax.Array
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
    watches again. At the last candidate it stays, or wraps around to the first when ``cycle=True``. As in
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
    for label, number, low in (
        ("patience", patience, 1),
        ("cooldown", cooldown, 0),
        ("accumulation_size", accumulation_size, 1),
    ):
        if not isinstance(number, int) or isinstance(number, bool) or number < low:
            raise ValueError(f"plateau: {label}={number!r}; it must be an int >= {low}.")
    if not 0.0 <= rtol <= 1.0 or atol < 0.0:
        raise ValueError(f"plateau: rtol={rtol} and atol={atol}; rtol must be in [0, 1] and atol >= 0.")
    if rtol == 0.0 and atol == 0.0:
        raise ValueError("plateau: rtol and atol are both 0, so any noise counts as improvement; make one positive.")
    if order is not None and (isinstance(order, str) or not isinstance(order, Sequence) or not order):
        raise ValueError(f"plateau: order={order!r}; pass a non-empty list of candidate names, e.g. ['adam', 'sgd'].")

    def indices(names):
        return _resolve_all(range(len(names)) if order is None else order, names, "plateau order")

    def init(names):
        dtype = _float()
        zero = lambda dtype=jnp.int32: jnp.zeros([], dtype)
        return PlateauState(
            order=jnp.asarray(indices(names), jnp.int32),
            position=zero(),
            best=jnp.full([], jnp.inf, dtype),
            plateau_count=zero(),
            cooldown_count=zero(),
            count=zero(),
            average=zero(dtype),
        )

    def select(signals, state):
        count = optax.safe_increment(state.count)
        average = (state.count * state.average + signals.loss.astype(state.average.dtype)) / count
        evaluate = count == accumulation_size
        improved = average < (1 - rtol) * state.best - atol
        plateau_count = jnp.where(improved, 0, optax.safe_increment(state.plateau_count))
        cooling = state.cooldown_count > 0
        move = evaluate & ~cooling & (plateau_count == patience)
        last = len(state.order) - 1
        following = state.position + 1
        following = jnp.where(following > last, 0 if cycle else last, following)
        position = jnp.where(move, following, state.position)
        evaluated = PlateauState(
            order=state.order,
            position=position,
            best=jnp.where(improved, average, state.best),
            plateau_count=jnp.where(cooling | move, 0, plateau_count),
            cooldown_count=jnp.where(cooling, state.cooldown_count - 1, jnp.where(move, cooldown, 0)),
            count=jnp.zeros_like(count),
            average=jnp.zeros_like(average),
        )
        accumulated = state._replace(count=count, average=average)
        new_state = jax.tree.map(lambda e, a: jnp.where(evaluate, e, a), evaluated, accumulated)
        return jnp.where(move, state.order[position], signals.active), new_state

    def initial(names):
        return indices(names)[0]

    return Selector(init=init, select=select, reads=frozenset({"loss"}), initial=initial, name="plateau")


class SwatsState(NamedTuple):
    """State of :func:`swats`.

    Attributes:
        adam: int32 ``[]``, index of the Adam candidate.
        sgd: int32 ``[]``, index of the SGD candidate.
        count: int32 ``[]``, Adam updates seen, ``k``.
        average: ``[]``, ``lambda_k``, the moving average of the projected step sizes ``gamma``.
        estimate: ``[]``, ``Lambda_k = lambda_k / (1 - beta2^k)``, SWATS's estimate of the learning rate
            of SGD, frozen at the switch; SGD then steps with ``(1 - beta1) * estimate``.
        gamma: ``[]``, the latest ``gamma_k``.
        switched: bool ``[]``, whether SWATS has made its switch.
    """

    adam: jax.Array
    sgd: jax.Array
    count: jax.Array
    average: jax.Array
    estimate: jax.Array
    gamma: jax.Array
    switched: jax.Array


def swats(
    adam: str | int,
    sgd: str | int,
    *,
    beta1: float = 0.9,
    beta2: float = 0.999,
    atol: float = 1e-9,
    rtol: float = 0.0,
) -> Selector:
    """Switches once from Adam to SGD when Adam's steps, projected on the gradient, settle (SWATS).

    After each Adam update ``p_k`` with gradient ``g_k`` (``k`` counts Adam's updates from 1), where
    ``p_k . g_k != 0``:

        ``gamma_k = (p_k . p_k) / (-p_k . g_k)``, the step size along ``-g_k`` whose projection on ``p_k`` is
        ``p_k``;

        ``lambda_k = beta2 lambda_{k-1} + (1 - beta2) gamma_k``, ``Lambda_k = lambda_k / (1 - beta2^k)``.

    SWATS switches to SGD at the first ``k > 1`` with ``Lambda_k > 0`` and
    ``|Lambda_k - gamma_k| <= atol + rtol |gamma_k|``, once. SGD then runs ``v = beta1 v + g``,
    ``w -= (1 - beta1) Lambda v`` from ``v = 0``: at the switch, the selector's handoff sets the SGD
    candidate's ``learning_rate`` to ``(1 - beta1) Lambda_k`` and zeroes its momentum ``trace`` (after the
    switch's ``on_switch``, so these win). Build that candidate as
    ``optax.inject_hyperparams(optax.sgd)(learning_rate=0.0, momentum=beta1)``; one without an injectable,
    constant ``learning_rate`` is an error at ``init``. ``Lambda`` is ``state.estimate``
    (:class:`SwatsState`).

    The signals ``p . p`` and ``p . g`` are two reductions over the parameters; SWATS asks for them only
    after Adam's updates, so once on SGD it costs nothing. It acts only when it switches: a candidate set
    from the host with :func:`optswitch.set_active` stays, and its estimate only moves while Adam runs.

    Args:
        adam: name or index of the Adam candidate (any candidate whose update is ``p``; SWATS starts with
            it).
        sgd: name or index of the SGD candidate.
        beta1: momentum of SGD after the switch, and Adam's ``b1``.
        beta2: the moving average's decay, Adam's ``b2`` in the paper.
        atol: absolute tolerance of the switch test (the paper's ``epsilon``, 1e-9).
        rtol: relative tolerance of the switch test; the paper's test is ``rtol=0``. With ``rtol > 0`` the
            switch needs less agreement between ``Lambda`` and ``gamma``, which on noisy minibatch gradients
            is what makes it happen at all.

    Returns:
        A :class:`Selector` with a handoff, reading ``update_sq_norm`` and ``update_dot_grad`` after Adam's
        updates.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.inject_hyperparams(optax.sgd)(learning_rate=0.0, momentum=0.9)},
        ...     optswitch.selectors.swats("adam", "sgd", rtol=1e-2))
        >>> params = {"w": jnp.linspace(-1.0, 1.0, 5)}
        >>> state = tx.init(params)
        >>> for _ in range(5):  # a constant gradient: Adam's step settles at once
        ...     _, state = tx.update(params, state, params)
        >>> optswitch.summary(state).switches
        [(2, 'adam', 'sgd')]
        >>> print(f"{float(state.selector_state.estimate):.5f}")  # p.p / -p.g = 4/3 lr for this gradient
        0.01333

    References:
        Keskar & Socher, "Improving Generalization Performance by Switching from Adam to SGD", 2017,
        arXiv:1712.07628 (Algorithm 1).
    """
    for label, beta in (("beta1", beta1), ("beta2", beta2)):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"swats: {label}={beta}; it must be in [0, 1).")
    if atol < 0.0 or rtol < 0.0:
        raise ValueError(f"swats: atol={atol} and rtol={rtol} must be >= 0.")

    def indices(names):
        return _resolve_all([adam, sgd], names, "swats(adam, sgd)")

    def init(names):
        adam_index, sgd_index = indices(names)
        zero = jnp.zeros([], _float())
        return SwatsState(
            adam=jnp.asarray(adam_index, jnp.int32),
            sgd=jnp.asarray(sgd_index, jnp.int32),
            count=jnp.zeros([], jnp.int32),
            average=zero,
            estimate=zero,
            gamma=zero,
            switched=jnp.zeros([], bool),
        )

    def select(signals, state):
        dtype = state.average.dtype
        watching = (signals.active == state.adam) & ~state.switched
        p_dot_g = signals.update_dot_grad.astype(dtype)
        defined = watching & (p_dot_g != 0)
        count = jnp.where(watching, optax.safe_increment(state.count), state.count)
        gamma = signals.update_sq_norm.astype(dtype) / -jnp.where(defined, p_dot_g, -1)
        average = beta2 * state.average + (1 - beta2) * gamma
        estimate = average / (1 - jnp.asarray(beta2, dtype) ** count.astype(dtype))
        converged = jnp.abs(estimate - gamma) <= atol + rtol * jnp.abs(gamma)
        switch_now = defined & (count > 1) & (estimate > 0) & converged
        new_state = state._replace(
            count=count,
            average=jnp.where(defined, average, state.average),
            estimate=jnp.where(defined, estimate, state.estimate),
            gamma=jnp.where(defined, gamma, state.gamma),
            switched=state.switched | switch_now,
        )
        return jnp.where(switch_now, state.sgd, signals.active), new_state

    def handoff(from_state, to_state, context: Context):
        del from_state
        if context.target != indices(context.names)[1]:
            return to_state
        name = context.names[context.target]
        found = optax.tree_utils.tree_get_all_with_path(to_state, "learning_rate")
        rates = [value for _, value in found if hasattr(value, "dtype")]  # a schedule adds its own state
        if len(found) != 1 or len(rates) != 1:
            if not rates:
                why = "is not injectable"
            elif len(rates) == 1:
                why = "is a schedule"
            else:
                why = f"is ambiguous ({len(rates)} learning rates in its state)"
            raise ValueError(
                f"swats: the learning_rate of the SGD candidate {name!r} {why}, so SWATS cannot set it at the "
                f"switch; build it as optax.inject_hyperparams(optax.sgd)(learning_rate=0.0, momentum={beta1})."
            )
        state = context.selector_state
        rate = ((1 - beta1) * state.estimate).astype(jnp.result_type(rates[0]))
        changed = optax.tree.set(to_state, learning_rate=rate)
        moment = handoff_lib.first_moment(changed)
        if moment is not None:
            changed = optax.tree.set(changed, **{moment[0]: jax.tree.map(jnp.zeros_like, moment[1])})
        return optax.tree.where(state.switched, changed, to_state)

    return Selector(
        init=init,
        select=select,
        reads={adam: frozenset({"update_sq_norm", "update_dot_grad"})},
        initial=lambda names: indices(names)[0],
        name="swats",
        handoff=Handoff(handoff, reads_source=False),
    )


class BanditState(NamedTuple):
    """State of :func:`bandit`.

    Attributes:
        reward_sums: ``[N]``, each candidate's rewards, summed with discounting.
        weights: ``[N]``, the discounted number of windows each candidate ran (0: never tried), the weights
            of ``reward_sums``: a candidate's estimate is ``reward_sums / weights``.
        square_sums: ``[N]``, the squared rewards, summed with discounting.
        windows: int32 ``[]``, windows completed.
        arm: int32 ``[]``, the candidate the current window measures (-1 before the first update).
        steps: int32 ``[]``, updates in the current window so far.
        trend: ``[]``, ``sum_i (i - (W - 1) / 2) log(loss_i)`` over the current window's updates.
        last_reward: ``[]``, the reward of the latest complete window.
    """

    reward_sums: jax.Array
    weights: jax.Array
    square_sums: jax.Array
    windows: jax.Array
    arm: jax.Array
    steps: jax.Array
    trend: jax.Array
    last_reward: jax.Array


STRATEGIES = ("ucb", "thompson", "epsilon_greedy")


def bandit(
    *,
    window: int,
    strategy: str = "ucb",
    discount: float = 0.9,
    seed: int = 0,
    exploration: float = 1.0,
    epsilon: float = 0.1,
) -> Selector:
    """Runs the candidate that has been reducing the loss fastest, trying each, as a discounted bandit.

    Training goes in windows of ``window`` updates by one candidate. A window's reward is how fast the loss
    fell during it, relative to its size: minus the least-squares slope of ``log(loss)`` against the update
    index over the window's updates ``i = 0 .. W-1``,

        ``r = -sum_i (i - (W-1)/2) log(loss_i) / (W (W^2 - 1) / 12)``,

    about the fraction of the loss removed per update. After each window, every candidate's statistics
    decay by ``discount`` and the window's candidate earns ``r``: ``S_k = discount S_k + r``,
    ``n_k = discount n_k + 1``, its estimate is ``m_k = S_k / n_k``, and ``s`` is the discounted standard
    deviation of all rewards. The next window goes to a candidate never tried, in order, while there is
    one; then to the highest score:

    * ``"ucb"`` (discounted UCB): ``m_k + exploration s sqrt(2 log(sum n) / n_k)``;
    * ``"thompson"``: ``m_k + exploration s z_k / sqrt(n_k)`` with ``z_k`` standard normal;
    * ``"epsilon_greedy"``: ``m_k``, except with probability ``epsilon`` a candidate drawn uniformly.

    Why this is fair to candidates that run at different phases of training, when the loss naturally falls
    at different rates: the reward is relative (the same fraction of the loss removed per update scores the
    same whether the loss is 2.3 or 0.05), so early candidates are not favoured by the size of the loss;
    it is measured on the candidate's own updates only, by a line through all of them, so neither the
    previous candidate's progress nor one noisy minibatch decides it, while the cost of the switch itself
    (a cold momentum) is charged to the candidate switched to; and estimates are discounted, their weight
    halving every ``log(0.5) / log(discount)`` windows, so the exploration terms of UCB and Thompson
    sampling grow for a candidate not run lately, which is then re-measured in the current phase instead
    of living off a reward earned when every candidate did better. (Epsilon-greedy re-measures only by its
    random share.) It remains a comparison of windows at different times: a candidate is judged against
    rewards measured a few windows earlier.

    Updates with a non-positive loss (whose logarithm is undefined) are ignored, as are non-finite ones:
    the loss must be positive, as a cross-entropy or squared error is. Randomness comes from
    ``jax.random.key(seed)`` folded with the window count, so a run is reproducible from its seed and its
    state. A window interrupted by a switch from the host starts over with the new candidate.

    Args:
        window: updates per window, an int >= 2.
        strategy: ``"ucb"``, ``"thompson"`` or ``"epsilon_greedy"``.
        discount: decay of the statistics per window, in ``(0, 1]`` (1: no discounting).
        seed: seed of the randomness of ``"thompson"`` and ``"epsilon_greedy"``.
        exploration: weight of the exploration term of ``"ucb"`` and ``"thompson"``, >= 0.
        epsilon: probability of a random pick for ``"epsilon_greedy"``, in ``[0, 1]``.

    Returns:
        A :class:`Selector` that reads the loss: ``update`` needs ``value=``.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)}, optswitch.selectors.bandit(window=4))
        >>> params = {"w": jnp.ones(3)}
        >>> state = tx.init(params)
        >>> for t in range(7):  # every candidate is tried first
        ...     _, state = tx.update(params, state, params, value=jnp.exp(-0.1 * t))
        >>> optswitch.summary(state).switches
        [(4, 'adam', 'sgd')]
        >>> print(f"{float(state.selector_state.last_reward):.3f}")  # the loss fell by ~10% per update
        0.100

    References:
        Garivier & Moulines, "On Upper-Confidence Bound Policies for Switching Bandit Problems", ALT 2011
        (discounted UCB); Bache, DeCoste & Smyth, "Hot Swapping for Online Adaptation of Optimization
        Hyperparameters", 2014, arXiv:1412.6599.
    """
    if not isinstance(window, int) or isinstance(window, bool) or window < 2:
        raise ValueError(f"bandit: window={window!r}; it must be an int >= 2 (a slope needs two updates).")
    if strategy not in STRATEGIES:
        raise ValueError(f"bandit: strategy={strategy!r}; choose from {list(STRATEGIES)}.")
    if not 0.0 < discount <= 1.0:
        raise ValueError(f"bandit: discount={discount}; it must be in (0, 1].")
    if exploration < 0.0 or not 0.0 <= epsilon <= 1.0:
        raise ValueError(f"bandit: exploration={exploration} must be >= 0 and epsilon={epsilon} in [0, 1].")
    spread_of_index = window * (window**2 - 1) / 12

    def init(names):
        n, dtype = len(names), _float()
        return BanditState(
            reward_sums=jnp.zeros([n], dtype),
            weights=jnp.zeros([n], dtype),
            square_sums=jnp.zeros([n], dtype),
            windows=jnp.zeros([], jnp.int32),
            arm=jnp.full([], -1, jnp.int32),
            steps=jnp.zeros([], jnp.int32),
            trend=jnp.zeros([], dtype),
            last_reward=jnp.zeros([], dtype),
        )

    def choose(reward_sums, weights, square_sums, windows):
        n = weights.shape[0]
        tried = weights > 0
        count = jnp.where(tried, weights, 1)
        mean = reward_sums / count
        total = jnp.sum(weights)
        spread = jnp.sqrt(jnp.maximum(jnp.sum(square_sums) / total - (jnp.sum(reward_sums) / total) ** 2, 0))
        key = jax.random.fold_in(jax.random.key(seed), windows)
        if strategy == "ucb":
            score = mean + exploration * spread * jnp.sqrt(2 * jnp.log(total) / count)
        elif strategy == "thompson":
            score = mean + exploration * spread * jax.random.normal(key, [n], mean.dtype) / jnp.sqrt(count)
        else:
            explore_key, pick_key = jax.random.split(key)
            explore = jax.random.uniform(explore_key) < epsilon
            score = jnp.where(explore, jax.random.uniform(pick_key, [n], mean.dtype), mean)
        return jnp.argmax(jnp.where(tried, score, jnp.inf)).astype(jnp.int32)

    def select(signals, state):
        dtype = state.trend.dtype
        loss = signals.loss.astype(dtype)
        usable = loss > 0
        restart = signals.active != state.arm
        steps = jnp.where(restart, 0, state.steps)
        position = steps.astype(dtype) - (window - 1) / 2
        trend = jnp.where(restart, 0, state.trend) + position * jnp.log(jnp.where(usable, loss, 1))
        steps = steps + 1
        complete = steps == window
        reward = -trend / spread_of_index
        credited = jnp.arange(state.weights.shape[0]) == signals.active
        reward_sums = discount * state.reward_sums + jnp.where(credited, reward, 0)
        weights = discount * state.weights + credited
        square_sums = discount * state.square_sums + jnp.where(credited, reward**2, 0)
        choice = choose(reward_sums, weights, square_sums, state.windows)
        ended = BanditState(
            reward_sums=reward_sums,
            weights=weights,
            square_sums=square_sums,
            windows=state.windows + 1,
            arm=choice,
            steps=jnp.zeros_like(steps),
            trend=jnp.zeros_like(trend),
            last_reward=reward,
        )
        going = state._replace(arm=signals.active, steps=steps, trend=trend)
        new_state = jax.tree.map(lambda e, g: jnp.where(complete, e, g), ended, going)
        new_state = jax.tree.map(lambda new, old: jnp.where(usable, new, old), new_state, state)
        return jnp.where(usable & complete, choice, signals.active), new_state

    return Selector(init=init, select=select, reads=frozenset({"loss"}), name=f"bandit({strategy})")


RACING, LEADING, CHALLENGING, CLOSING = 0, 1, 2, 3


class RaceState(NamedTuple):
    """State of :func:`race`.

    Attributes:
        order: int32 ``[K]``, the raced candidates' indices, in race order.
        phase: int32 ``[]``, what the current window is for: ``0`` a leg of the race, ``1`` the leader
            training, ``2`` the challenger's window of a duel, ``3`` the leader's window that closes a duel.
        leg: int32 ``[]``, legs of the race completed.
        leader: int32 ``[]``, index of the leading candidate (``order[0]`` until the race ends).
        challenger: int32 ``[]``, index of the candidate of the current or latest duel (``leader`` before any).
        arm: int32 ``[]``, the candidate the current window measures (-1 before the first update).
        length: int32 ``[]``, updates in the current window.
        count: int32 ``[]``, updates of the current window seen so far.
        mean: ``[]``, the mean of ``log(loss)`` over them.
        squares: ``[]``, the sum of squared deviations of ``log(loss)`` from ``mean``.
        products: ``[]``, ``sum_i (i - mean index) (log(loss_i) - mean)``, the co-moment of index and log loss.
        race_rates: ``[N]``, each candidate's rates in the race, summed over its two legs.
        race_variances: ``[N]``, the variances of those rates, summed.
        standing: ``[N]``, each candidate's rate over the leader's, measured at the same time (the leader: 1;
            a candidate outside ``order``: ``-inf``).
        before: ``[]``, the leader's rate in its window before the current or latest duel.
        before_variance: ``[]``, its variance.
        challenge: ``[]``, the challenger's rate in the current or latest duel.
        challenge_variance: ``[]``, its variance.
        updates: int32 ``[]``, updates seen (those with a finite, positive loss): the selector's clock.
        next_duel: int32 ``[]``, the value of ``updates`` from which the next duel may begin.
        duels: int32 ``[]``, duels completed.
    """

    order: jax.Array
    phase: jax.Array
    leg: jax.Array
    leader: jax.Array
    challenger: jax.Array
    arm: jax.Array
    length: jax.Array
    count: jax.Array
    mean: jax.Array
    squares: jax.Array
    products: jax.Array
    race_rates: jax.Array
    race_variances: jax.Array
    standing: jax.Array
    before: jax.Array
    before_variance: jax.Array
    challenge: jax.Array
    challenge_variance: jax.Array
    updates: jax.Array
    next_duel: jax.Array
    duels: jax.Array


def race(
    order: Sequence[str | int] | None = None,
    *,
    window: int,
    growth: float = 2.0,
    fraction: float = 0.125,
    confidence: float = 1.0,
) -> Selector:
    """Races the candidates for a few updates each, then trains with the winner and re-checks it now and then.

    Every decision compares *rates*: a candidate's rate over a window of ``W`` consecutive updates of its own is
    minus the least-squares slope of ``log(loss)`` against the update index ``i = 0 .. W-1``, about the
    fraction of the loss removed per update (the reward of :func:`bandit`), and its variance is that of a
    regression slope, from the scatter of ``log(loss)`` about the line:

        ``r = -sum_i (i - (W-1)/2) log(loss_i) / S``, ``S = W (W^2 - 1) / 12``,
        ``var(r) = RSS / ((W - 2) S)``,

    ``RSS`` the residual sum of squares. Since the minibatch loss is noisy, a rate is known only to within its
    standard deviation, and the selector changes candidate only on evidence: one rate beating another by more
    than ``confidence`` standard deviations of their difference.

    1. **Race.** The candidates of ``order`` take turns for ``window`` updates each, in ``order`` and then in
       reverse (``a b c c b a``), so that a decline of the rates that is linear in time weighs on every candidate
       alike. A candidate's score is the mean of its two rates; the best becomes the leader, and each
       candidate's *standing* is its score over the leader's.
    2. **Lead.** The leader trains, in windows of ``max(window, fraction * t)`` updates, ``t`` the updates
       made so far: the rates fall as training goes on, so later windows are longer to measure them as well.
       (``t`` counts the updates the selector saw: those with a finite, positive loss.)
    3. **Duel**, at the end of the first leader window past update ``growth * T``, ``T`` the update at which the
       race or the latest duel ended. The candidate of the highest standing (the runner-up) trains for one
       window of the leader's window length, with rate ``c``; then the leader trains for one, with rate ``a``.
       With ``b`` the leader's rate in its window before the duel, the challenger takes over if

           ``c - (a + b) / 2 > confidence * sqrt(var(c) + (var(a) + var(b)) / 4)``,

       the leader's two windows bracketing the challenger's so that a linear decline cancels; or at once,
       after its own window, if ``c - b > confidence * sqrt(var(c) + var(b))``, the leader's earlier rate
       being the higher while rates fall. The challenger's standing becomes ``c`` over the leader's rate
       (``b``, or ``(a + b) / 2``), and on a takeover every standing is re-expressed relative to the new
       leader. Duels come at updates that grow geometrically, so there are about ``log(T_end / T_race) /
       log(growth)`` of them, each costing one window of the runner-up.

    Why: a switch pays off only where the candidates' rates differ by more than the noise of measuring them,
    which on minibatch losses is early in training, and every window spent on a worse candidate is lost.
    The race spends ``2 (K - 1)`` windows on the non-winners, once; the duels re-check only the runner-up,
    whose standing was measured against the leader at the same time, so the general slowing of training
    does not make a stale measurement of another candidate look better than the leader's fresh one (the
    weakness of comparing windows run at different times, as :func:`bandit` does). The leader changes when
    the runner-up has become faster, e.g. after the candidate that was quickest at first (SGD with momentum
    on an ill-conditioned problem, clearing the directions of high curvature) has run out of easy progress.

    Updates with a non-positive loss (whose logarithm is undefined) are ignored, as are non-finite ones. A
    switch from the host (:func:`optswitch.set_active`) restarts the current window with the new candidate,
    and what that window measures is credited to it.

    Args:
        order: the candidates to race, by name or index; default every candidate, in order. The first makes
            update 0; a candidate left out never runs (unless set from the host).
        window: updates per leg of the race, and the shortest window; an int >= 3 (a slope and its scatter
            need three points).
        growth: ratio of the update counts at which successive duels may begin, > 1.
        fraction: the windows after the race last ``fraction`` of the updates made so far (at least
            ``window``), >= 0; 0 keeps every window at ``window`` updates.
        confidence: how many standard deviations of the difference of two rates a challenger must win by,
            >= 0.

    Returns:
        A :class:`Selector` that reads the loss: ``update`` needs ``value=``.

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)}, optswitch.selectors.race(window=3))
        >>> params = {"w": jnp.ones(3)}
        >>> state = tx.init(params)
        >>> loss = 1.0
        >>> for t in range(14):  # SGD's updates remove 20% of the loss, Adam's 10%
        ...     name = optswitch.active(state)
        ...     _, state = tx.update(params, state, params, value=jnp.asarray(loss))
        ...     loss *= 0.8 if name == "sgd" else 0.9
        >>> optswitch.summary(state).switches  # legs: adam, sgd, sgd, adam; then the winner
        [(3, 'adam', 'sgd'), (9, 'sgd', 'adam'), (12, 'adam', 'sgd')]
        >>> print(f"{float(state.selector_state.standing[0]):.3f}")  # log(0.9) / log(0.8)
        0.472

    References:
        Maron & Moore, "Hoeffding Races: Accelerating Model Selection Search for Classification and Function
        Approximation", NeurIPS 1993 (racing candidates, deciding on confidence bounds); the explore-then-commit
        strategy of bandits with switching costs, with checks at geometrically growing times.
    """
    if not isinstance(window, int) or isinstance(window, bool) or window < 3:
        raise ValueError(f"race: window={window!r}; it must be an int >= 3 (a slope and its scatter need 3 updates).")
    if not growth > 1.0 or not fraction >= 0.0 or not confidence >= 0.0:
        raise ValueError(
            f"race: growth={growth}, fraction={fraction}, confidence={confidence}; growth must be > 1, fraction "
            f"and confidence >= 0."
        )
    if order is not None and (isinstance(order, str) or not isinstance(order, Sequence) or not order):
        raise ValueError(f"race: order={order!r}; pass a non-empty list of candidate names, e.g. ['adam', 'sgd'].")

    def indices(names):
        return _resolve_all(range(len(names)) if order is None else order, names, "race order")

    def init(names):
        raced = indices(names)
        n, dtype = len(names), _float()
        index = lambda value: jnp.asarray(value, jnp.int32)
        zero = lambda: jnp.zeros([], dtype)
        return RaceState(
            order=jnp.asarray(raced, jnp.int32),
            phase=index(RACING),
            leg=index(0),
            leader=index(raced[0]),
            challenger=index(raced[0]),
            arm=index(-1),
            length=index(window),
            count=index(0),
            mean=zero(),
            squares=zero(),
            products=zero(),
            race_rates=jnp.zeros([n], dtype),
            race_variances=jnp.zeros([n], dtype),
            standing=jnp.zeros([n], dtype),
            before=zero(),
            before_variance=zero(),
            challenge=zero(),
            challenge_variance=zero(),
            updates=index(0),
            next_duel=index(0),
            duels=index(0),
        )

    def ratio(a, b):
        """``a / b``, as a standing: a rate over a leader's rate that made no progress is inf if higher, else 0."""
        return jnp.where(b > 0, a / jnp.where(b > 0, b, 1), jnp.where(a > b, jnp.inf, 0.0))

    def select(signals, state):
        dtype = state.mean.dtype
        loss = signals.loss.astype(dtype)
        usable = loss > 0
        log_loss = jnp.log(jnp.where(usable, loss, 1))

        # Welford's updates of the window's mean, squared deviations and co-moment with the index 0, 1, ...
        restart = signals.active != state.arm
        count = jnp.where(restart, 0, state.count)
        mean, squares, products = (jnp.where(restart, 0, x) for x in (state.mean, state.squares, state.products))
        seen = count.astype(dtype)
        index_deviation = jnp.where(count > 0, (seen + 1) / 2, 0)  # i - mean of the earlier indices
        deviation = log_loss - mean
        mean = mean + deviation / (seen + 1)
        squares = squares + deviation * (log_loss - mean)
        products = products + index_deviation * (log_loss - mean)
        going = state._replace(
            arm=signals.active,
            count=count + 1,
            mean=mean,
            squares=squares,
            products=products,
            updates=optax.safe_increment(state.updates),
        )
        # The decisions run only where a window ends: one conditional, and one branch per phase within it.
        end = lambda: end_of_window(signals.active, going)
        carry_on = lambda: (going, signals.active.astype(jnp.int32))
        new_state, choice = jax.lax.cond(going.count >= going.length, end, carry_on)
        new_state = jax.tree.map(lambda new, old: jnp.where(usable, new, old), new_state, state)
        return jnp.where(usable, choice, signals.active), new_state

    def end_of_window(active, state):
        dtype = state.mean.dtype
        num, legs = state.standing.shape[0], 2 * state.order.shape[0]
        candidates = jnp.arange(num)
        raced = jnp.any(candidates[:, None] == state.order[None, :], axis=1)
        size = state.length.astype(dtype)
        spread_of_index = size * (size**2 - 1) / 12
        rate = -state.products / spread_of_index
        variance = jnp.maximum(state.squares - state.products**2 / spread_of_index, 0) / ((size - 2) * spread_of_index)
        updates = state.updates.astype(dtype)
        next_duel = jnp.ceil(growth * updates).astype(jnp.int32)

        def race_leg():
            credited = candidates == active
            race_rates = state.race_rates + jnp.where(credited, rate, 0)
            race_variances = state.race_variances + jnp.where(credited, variance, 0)
            leg = state.leg + 1
            racing = state._replace(leg=leg, race_rates=race_rates, race_variances=race_variances)
            following = state.order[jnp.where(leg < legs // 2, leg, legs - 1 - leg) % (legs // 2)]
            score = jnp.where(raced, race_rates / 2, -jnp.inf)
            winner = jnp.argmax(score).astype(jnp.int32)
            finished = racing._replace(
                phase=jnp.asarray(LEADING, jnp.int32),
                leader=winner,
                challenger=winner,
                standing=jnp.where(raced, ratio(score, score[winner]), -jnp.inf).at[winner].set(1),
                next_duel=next_duel,
            )
            over = leg == legs
            return jax.tree.map(lambda a, b: jnp.where(over, a, b), finished, racing), jnp.where(
                over, winner, following
            )

        def leader_window():
            rivals = jnp.where(candidates == state.leader, -jnp.inf, state.standing)
            runner_up = jnp.argmax(rivals).astype(jnp.int32)
            begin = (state.updates >= state.next_duel) & (rivals[runner_up] > -jnp.inf)
            led = state._replace(
                phase=jnp.where(begin, CHALLENGING, LEADING).astype(jnp.int32),
                challenger=jnp.where(begin, runner_up, state.challenger),
                before=rate,
                before_variance=variance,
            )
            return led, jnp.where(begin, runner_up, state.leader)

        def settle(takeover, leader_rate, challenge, challenge_variance):
            standing = state.standing.at[state.challenger].set(ratio(challenge, leader_rate))
            standing = jnp.where(takeover & raced, ratio(standing, standing[state.challenger]), standing)
            leader = jnp.where(takeover, state.challenger, state.leader)
            settled = state._replace(
                phase=jnp.asarray(LEADING, jnp.int32),
                leader=leader,
                standing=jnp.where(raced, standing, -jnp.inf).at[leader].set(1),
                challenge=challenge,
                challenge_variance=challenge_variance,
                next_duel=next_duel,
                duels=state.duels + 1,
            )
            return settled, leader

        def challenger_window():
            # A takeover at once if the challenger beats the leader's earlier rate.
            early = rate - state.before > confidence * jnp.sqrt(variance + state.before_variance)
            won, leader = settle(True, state.before, rate, variance)
            closing = state._replace(phase=jnp.asarray(CLOSING, jnp.int32), challenge=rate, challenge_variance=variance)
            return jax.tree.map(lambda a, b: jnp.where(early, a, b), won, closing), jnp.where(
                early, leader, state.leader
            )

        def closing_window():
            # The leader's window after the challenger's: its rate brackets the challenger's with the one before.
            leader_rate = (state.before + rate) / 2
            leader_variance = (state.before_variance + variance) / 4
            margin = confidence * jnp.sqrt(state.challenge_variance + leader_variance)
            return settle(
                state.challenge - leader_rate > margin, leader_rate, state.challenge, state.challenge_variance
            )

        ended, choice = jax.lax.switch(state.phase, [race_leg, leader_window, challenger_window, closing_window])
        longer = jnp.maximum(window, jnp.round(fraction * updates)).astype(jnp.int32)
        length = jnp.where(ended.phase == RACING, window, jnp.where(ended.phase == CLOSING, state.length, longer))
        ended = ended._replace(
            arm=choice.astype(jnp.int32),
            length=length.astype(jnp.int32),
            count=jnp.zeros_like(state.count),
            mean=jnp.zeros_like(state.mean),
            squares=jnp.zeros_like(state.squares),
            products=jnp.zeros_like(state.products),
        )
        return ended, choice.astype(jnp.int32)

    return Selector(
        init=init,
        select=select,
        reads=frozenset({"loss"}),
        initial=lambda names: indices(names)[0],
        name="race",
    )


class NoiseProbeState(NamedTuple):
    """State of the probe of :func:`noise_scale`: parameter-sized.

    Attributes:
        mean: a moving average of the gradient, ``m = beta m + (1 - beta) g``, with the structure of the
            parameters, in float32 (float64 for float64 parameters): 4 (8) bytes per parameter.
        count: int32 ``[]``, gradients averaged into ``mean``.
    """

    mean: Any
    count: jax.Array


class NoiseScaleState(NamedTuple):
    """State of :func:`noise_scale`.

    Attributes:
        source: int32 ``[]``, index of the candidate switched from.
        target: int32 ``[]``, index of the candidate switched to.
        noise: ``[]``, moving average of the per-update noise term (see :func:`noise_scale`).
        signal: ``[]``, moving average of the per-update signal term.
        steps: int32 ``[]``, updates of ``source`` seen.
        switched: bool ``[]``, whether the selector has made its switch; ``noise`` and ``signal`` stay as
            they were then.
    """

    source: jax.Array
    target: jax.Array
    noise: jax.Array
    signal: jax.Array
    steps: jax.Array
    switched: jax.Array

    @property
    def ratio(self) -> jax.Array:
        """The estimate of ``rho = tr(Sigma) / (B |G|^2) = noise / signal``; ``inf`` while ``signal <= 0``."""
        return jnp.where(self.signal > 0, self.noise / jnp.where(self.signal > 0, self.signal, 1), jnp.inf)


def noise_scale(
    source: str | int,
    target: str | int,
    *,
    threshold: float = 1.0,
    beta: float = 0.9,
    smoothing: float = 0.99,
    warmup: int = 100,
) -> Selector:
    """Switches once from ``source`` to ``target`` when the gradient becomes mostly noise.

    The simple gradient noise scale of McCandlish et al. is ``B_simple = tr(Sigma) / |G|^2``, with ``G``
    the true gradient and ``Sigma`` the covariance of one example's gradient. For minibatches of ``B``
    examples, the gradient ``g`` has noise ``E|g - G|^2 = tr(Sigma) / B``, and this selector estimates
    ``rho = tr(Sigma) / (B |G|^2) = B_simple / B``, the noise-to-signal ratio of one minibatch's gradient:
    ``rho > 1`` means the minibatch gradient is more noise than signal, the phase where larger batches (or a
    lower learning rate, or a better-generalising optimizer) start to pay.

    The paper's estimator compares ``|g|^2`` at two batch sizes. Here the larger batch is a moving average
    of the gradient over past updates, ``m_t = beta m_{t-1} + (1 - beta) g_t``, bias-corrected as
    ``mhat_t = m_t / (1 - beta^t)``. For independent noise and a ``G`` that changes little over the
    average's horizon, ``E|g_t|^2 = |G|^2 + s`` and ``E|mhat_t|^2 = |G|^2 + c_t s``, with ``s = tr(Sigma) /
    B`` and ``c_t = (1 - beta)(1 + beta^t) / ((1 + beta)(1 - beta^t))``. So each update gives

        ``noise_t = |g_t|^2 - |mhat_t|^2`` (expected ``(1 - c_t) s``) and
        ``signal_t = |mhat_t|^2 - c_t |g_t|^2`` (expected ``(1 - c_t) |G|^2``),

    their moving averages with decay ``smoothing`` are ``noise`` and ``signal``, and
    ``rho = noise / signal`` (``state.ratio``). The selector switches once, at the first update of
    ``source``, after ``warmup`` of them, with ``noise > 0`` and ``noise > threshold * signal``: ``rho >
    threshold``, or a ``signal`` that is no longer positive, the true gradient lost in the noise. Where ``G``
    drifts over the ``~(1 + beta) / (1 - beta)`` updates the average spans, the drift counts as noise, which
    errs toward a larger ``rho`` and an earlier switch.

    Memory: the moving average ``m`` is a parameter-sized buffer, in float32 (float64 for float64
    parameters): 4 bytes per parameter, held in :attr:`optswitch.SwitchState.probe_state` (a
    :class:`NoiseProbeState`), only when this selector is used. Its probe, a pass over ``g`` and ``m``, runs
    only after the updates of ``source``; a non-finite gradient leaves ``m`` as it was.

    Args:
        source: name or index of the candidate to switch from (it makes update 0).
        target: name or index of the candidate to switch to.
        threshold: the ``rho`` above which to switch, > 0.
        beta: decay of the moving average of the gradient, in ``(0, 1)``.
        smoothing: decay of the moving averages of ``noise_t`` and ``signal_t``, in ``[0, 1)``.
        warmup: updates of ``source`` before the selector may switch, an int >= 1.

    Returns:
        A :class:`Selector` with a :class:`optswitch.Probe`.

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> tx = optswitch.switch(
        ...     {"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)},
        ...     optswitch.selectors.noise_scale("adam", "sgd", threshold=1.0, smoothing=0.9, warmup=20))
        >>> params = {"w": jnp.zeros(100)}
        >>> state = tx.init(params)
        >>> update = jax.jit(tx.update)
        >>> for t in range(150):  # a true gradient of 1 per coordinate, under noise of std 0.01 t
        ...     noise = 0.01 * t * jax.random.normal(jax.random.key(t), [100])
        ...     _, state = update({"w": 1.0 + noise}, state, params)
        >>> optswitch.summary(state).switches  # rho = (0.01 t)^2 crosses 1 at t = 100, seen ~10 updates late
        [(110, 'adam', 'sgd')]

    References:
        McCandlish, Kaplan, Amodei et al., "An Empirical Model of Large-Batch Training", 2018,
        arXiv:1812.06162 (Appendix A).
    """
    if threshold <= 0.0 or not 0.0 < beta < 1.0 or not 0.0 <= smoothing < 1.0:
        raise ValueError(
            f"noise_scale: threshold={threshold}, beta={beta}, smoothing={smoothing}; threshold must be > 0, "
            f"beta in (0, 1) and smoothing in [0, 1)."
        )
    if not isinstance(warmup, int) or isinstance(warmup, bool) or warmup < 1:
        raise ValueError(f"noise_scale: warmup={warmup!r}; it must be an int >= 1.")

    def indices(names):
        return _resolve_all([source, target], names, "noise_scale(source, target)")

    def probe_init(params):
        dtype = accumulator(params)
        return NoiseProbeState(jax.tree.map(lambda p: jnp.zeros(jnp.shape(p), dtype), params), jnp.zeros([], jnp.int32))

    def probe_measure(grads, updates, state):
        del updates
        dtype = accumulator(grads)
        squared_norm = lambda tree: sum(
            (jnp.sum(jnp.square(x.astype(dtype))) for x in jax.tree.leaves(tree)), jnp.zeros([], dtype)
        )
        grad_sq = squared_norm(grads)
        # Gating on |g|^2, needed anyway, keeps m clean of a bad gradient without a select over two buffers.
        finite = jnp.isfinite(grad_sq)
        count = jnp.where(finite, optax.safe_increment(state.count), state.count)
        average = lambda m, g: jnp.where(finite, beta * m + (1 - beta) * g.astype(dtype), m)
        mean = jax.tree.map(average, state.mean, grads)
        decayed = jnp.asarray(beta, dtype) ** count.astype(dtype)
        mean_sq = squared_norm(mean) / (1 - decayed) ** 2
        overlap = (1 - beta) * (1 + decayed) / ((1 + beta) * (1 - decayed))
        values = {"noise": grad_sq - mean_sq, "signal": mean_sq - overlap * grad_sq}
        return values, NoiseProbeState(mean, count)

    def init(names):
        source_index, target_index = indices(names)
        zero = jnp.zeros([], _float())
        return NoiseScaleState(
            source=jnp.asarray(source_index, jnp.int32),
            target=jnp.asarray(target_index, jnp.int32),
            noise=zero,
            signal=zero,
            steps=jnp.zeros([], jnp.int32),
            switched=jnp.zeros([], bool),
        )

    def select(signals, state):
        dtype = state.noise.dtype
        watching = (signals.active == state.source) & ~state.switched
        steps = optax.safe_increment(state.steps)
        noise = smoothing * state.noise + (1 - smoothing) * signals.probe["noise"].astype(dtype)
        signal = smoothing * state.signal + (1 - smoothing) * signals.probe["signal"].astype(dtype)
        switch_now = watching & (steps >= warmup) & (noise > 0) & (noise > threshold * signal)
        watched = state._replace(noise=noise, signal=signal, steps=steps, switched=switch_now)
        new_state = jax.tree.map(lambda w, s: jnp.where(watching, w, s), watched, state)
        return jnp.where(switch_now, state.target, signals.active), new_state

    return Selector(
        init=init,
        select=select,
        reads={source: frozenset({"probe"})},
        initial=lambda names: indices(names)[0],
        name="noise_scale",
        probe=Probe(probe_init, probe_measure),
    )
