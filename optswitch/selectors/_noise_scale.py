"""``noise_scale``: switches once when the gradient becomes mostly noise (McCandlish et al. 2018)."""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from optswitch.selectors import _one_way
from optswitch.selectors._base import Selector, default_float, for_names
from optswitch.selectors._settings import check_count, check_number, resolve_all
from optswitch.signals import Probe, accumulator


class NoiseProbeState(NamedTuple):
    """State of the probe of :func:`noise_scale`: parameter-sized.

    Attributes:
        mean: a moving average of the gradient, ``m = beta m + (1 - beta) g``, with the structure of the
            parameters, in float32 (float64 for float64 parameters): 4 (8) bytes per parameter.
        count: int32 ``[]``, gradients averaged into ``mean``.
    """

    mean: Any
    count: jax.Array  # type: ignore[assignment]  # a counter, named so on purpose: it shadows tuple.count


class NoiseScaleState(NamedTuple):
    """State of :func:`noise_scale`.

    Attributes:
        noise: ``[]``, moving average of the per-update noise term (see :func:`noise_scale`).
        signal: ``[]``, moving average of the per-update signal term.
        steps: int32 ``[]``, updates of ``source`` seen.
        switched: bool ``[]``, whether the selector has made its switch; ``noise`` and ``signal`` stay as
            they were then.
    """

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
    check_number("noise_scale", "threshold", threshold, 0.0, open_low=True)
    check_number("noise_scale", "beta", beta, 0.0, 1.0, open_low=True, open_high=True)
    check_number("noise_scale", "smoothing", smoothing, 0.0, 1.0, open_high=True)
    check_count("noise_scale", "warmup", warmup, 1)

    def indices(names):
        return resolve_all([source, target], names, "noise_scale(source, target)")

    def probe_init(params):
        dtype = accumulator(params)
        return NoiseProbeState(jax.tree.map(lambda p: jnp.zeros(jnp.shape(p), dtype), params), jnp.zeros([], jnp.int32))

    def probe_measure(grads, updates, state):
        del updates
        dtype = accumulator(grads)
        # Its own sums, not signals.measure's or optax.tree.update_moment: either reorders the compiled ops.
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
        indices(names)
        zero = jnp.zeros([], default_float())
        return NoiseScaleState(
            noise=zero,
            signal=zero,
            steps=jnp.zeros([], jnp.int32),
            switched=jnp.zeros([], bool),
        )

    def select(signals, state, source_index, target_index):
        dtype = state.noise.dtype
        watching = _one_way.watching(signals.active, source_index, state.switched)
        steps = optax.safe_increment(state.steps)
        noise = smoothing * state.noise + (1 - smoothing) * signals.probe["noise"].astype(dtype)
        signal = smoothing * state.signal + (1 - smoothing) * signals.probe["signal"].astype(dtype)
        switch_now = watching & (steps >= warmup) & (noise > 0) & (noise > threshold * signal)
        watched = state._replace(noise=noise, signal=signal, steps=steps, switched=switch_now)
        new_state = optax.tree.where(watching, watched, state)
        return _one_way.choose(switch_now, target_index, signals.active), new_state

    def build(names):
        source_index, target_index = (None, None) if names is None else indices(names)
        return Selector(
            init=init,
            select=lambda signals, state: select(signals, state, source_index, target_index),
            reads={source: frozenset({"probe"})},
            initial=lambda names: source_index,
            name="noise_scale",
            probe=Probe(probe_init, probe_measure),
            explain=explainer(threshold),
            bind=build,
        )

    return for_names(build)


def explainer(threshold: float):
    """Why :func:`noise_scale` switched (:attr:`Selector.explain`): ``"rho = 1.02 > 1 after 110 updates"``."""

    def explain(signals, before: NoiseScaleState, after: NoiseScaleState):
        del signals, before
        text = lambda numbers, names: f"rho = {numbers['rho']:.3g} > {threshold:g} after {numbers['steps']} updates"
        return {"rho": after.ratio, "steps": after.steps}, text

    return explain


def key_numbers(state: NoiseScaleState, names: tuple[str, ...]) -> dict[str, jax.Array]:
    """The numbers of :func:`optswitch.metrics` for :func:`noise_scale`: ``rho``, the noise-to-signal ratio."""
    del names
    return {"rho": state.ratio}
