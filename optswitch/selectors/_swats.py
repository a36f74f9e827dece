"""``swats``: switches once from Adam to SGD when Adam's projected step settles (Keskar & Socher 2017)."""

import warnings
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from optswitch import _candidates, _find
from optswitch import handoff as handoff_lib
from optswitch.handoff import Context, Handoff
from optswitch.selectors import _one_way
from optswitch.selectors._base import Selector, default_float, for_names
from optswitch.selectors._settings import check_number, resolve_all


class SwatsState(NamedTuple):
    """State of :func:`swats`.

    Attributes:
        count: int32 ``[]``, Adam updates seen, ``k``.
        average: ``[]``, ``lambda_k``, the moving average of the projected step sizes ``gamma``.
        estimate: ``[]``, ``Lambda_k = lambda_k / (1 - beta2^k)``, SWATS's estimate of the learning rate
            of SGD, frozen at the switch; SGD then steps with ``(1 - beta1) * estimate``.
        gamma: ``[]``, the latest ``gamma_k``.
        switched: bool ``[]``, whether SWATS has made its switch.
    """

    count: jax.Array  # type: ignore[assignment]  # a counter, named so on purpose: it shadows tuple.count
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
    from the host with :func:`optswitch.set_active` stays, and its estimate only moves while Adam runs. A
    switch to SGD made from the host runs the same handoff with the estimate so far, so SGD never steps at
    the placeholder rate once Adam has made an update with ``p . g != 0``; before that there is no estimate,
    and :func:`optswitch.set_active` warns that SGD would make zero updates.

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
    check_number("swats", "beta1", beta1, 0.0, 1.0, open_high=True)
    check_number("swats", "beta2", beta2, 0.0, 1.0, open_high=True)
    check_number("swats", "atol", atol, 0.0)
    check_number("swats", "rtol", rtol, 0.0)

    def indices(names):
        return resolve_all([adam, sgd], names, "swats(adam, sgd)")

    def init(names):
        indices(names)
        zero = jnp.zeros([], default_float())
        return SwatsState(
            count=jnp.zeros([], jnp.int32),
            average=zero,
            estimate=zero,
            gamma=zero,
            switched=jnp.zeros([], bool),
        )

    def select(signals, state, adam_index, sgd_index):
        dtype = state.average.dtype
        watching = _one_way.watching(signals.active, adam_index, state.switched)
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
        return _one_way.choose(switch_now, sgd_index, signals.active), new_state

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
        if not jnp.issubdtype(jnp.result_type(rates[0]), jnp.inexact):
            raise TypeError(
                f"swats: the learning_rate of the SGD candidate {name!r} is an {jnp.result_type(rates[0])}, which "
                f"would truncate SWATS's estimate (about 0.01) to 0; build it with a float rate: "
                f"optax.inject_hyperparams(optax.sgd)(learning_rate=0.0, momentum={beta1})."
            )
        state = context.selector_state
        rate = ((1 - beta1) * state.estimate).astype(jnp.result_type(rates[0]))
        changed = optax.tree.set(to_state, learning_rate=rate)
        moment = handoff_lib.first_moment(changed)
        if moment is not None:
            changed = optax.tree.set(changed, **{moment[0]: jax.tree.map(jnp.zeros_like, moment[1])})
        # SWATS's own switch always has an estimate > 0; a switch from the host uses the estimate so far.
        return optax.tree.where(state.estimate > 0, changed, to_state)

    def build(names):
        adam_index, sgd_index = (None, None) if names is None else indices(names)
        return Selector(
            init=init,
            select=lambda signals, state: select(signals, state, adam_index, sgd_index),
            reads={adam: frozenset({"update_sq_norm", "update_dot_grad"})},
            initial=lambda names: adam_index,
            name="swats",
            handoff=Handoff(handoff, reads_source=False),
            explain=explain,
            bind=build,
        )

    return for_names(build)


def warn_if_no_rate(state, target: int, stacklevel: int) -> None:
    """Warns when a switch made from the host to ``target`` leaves SGD at SWATS's placeholder rate of 0.

    That is: the switch's selector is SWATS, which has no estimate yet (no Adam update with ``p . g != 0``), and
    ``target``'s state holds a ``learning_rate`` of 0, which only SWATS's handoff would have set.
    """
    selector_state = _find.tree_on_host(state.selector_state)
    if not isinstance(selector_state, SwatsState) or np.all(selector_state.estimate > 0):
        return
    target_state = _candidates.own_entry(state.candidate_states, target, _find.tree_on_host, what="set_active")
    found = optax.tree_utils.tree_get_all_with_path(target_state, "learning_rate")
    if any(hasattr(rate, "dtype") and np.all(_find.on_host(rate) == 0) for _, rate in found):
        name = _find.names_of(state)[target]
        warnings.warn(
            f"set_active: {name!r} has learning_rate 0, the placeholder SWATS replaces with its estimate at its "
            f"switch, and SWATS has no estimate yet (it needs an Adam update first), so {name!r} would make zero "
            f"updates. Let Adam make some updates before switching, or give {name!r} a rate of its own.",
            stacklevel=stacklevel,
        )


def explain(signals, before: SwatsState, after: SwatsState):
    """Why :func:`swats` switched (:attr:`Selector.explain`): ``"|Lambda - gamma| = 3e-10, Lambda = 0.022"``."""
    del signals, before
    numbers = {"gap": jnp.abs(after.estimate - after.gamma), "estimate": after.estimate}
    text = lambda numbers, names: f"|Lambda - gamma| = {numbers['gap']:.2g}, Lambda = {numbers['estimate']:.3g}"
    return numbers, text


def key_numbers(state: SwatsState, names: tuple[str, ...]) -> dict[str, jax.Array]:
    """The numbers of :func:`optswitch.metrics` for :func:`swats`: ``Lambda`` and the latest ``gamma``."""
    del names
    return {"Lambda": state.estimate, "gamma": state.gamma}
