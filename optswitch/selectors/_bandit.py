"""``bandit``: runs the candidate that has been reducing the loss fastest, as a discounted bandit over windows."""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from optswitch.selectors import _window
from optswitch.selectors._base import Selector, default_float
from optswitch.selectors._settings import check_count, check_number, is_count


class BanditState(NamedTuple):
    """State of :func:`bandit`.

    Attributes:
        reward_sums: ``[N]``, each candidate's rewards, summed with discounting.
        weights: ``[N]``, the discounted number of windows each candidate ran (0: never tried), the weights
            of ``reward_sums``: a candidate's estimate is ``reward_sums / weights``.
        square_sums: ``[N]``, the squared rewards, summed with discounting.
        windows: int32 ``[]``, windows completed.
        arm: int32 ``[]``, the candidate the current window measures (-1 before the first update).
        window_updates: int32 ``[]``, updates in the current window so far.
        trend: ``[]``, ``sum_i (i - (W - 1) / 2) log(loss_i)`` over the current window's updates.
        last_reward: ``[]``, the reward of the latest complete window.
        ignored_losses: int32 ``[]``, updates ignored for a loss ``<= 0`` (see :func:`bandit`).
    """

    reward_sums: jax.Array
    weights: jax.Array
    square_sums: jax.Array
    windows: jax.Array
    arm: jax.Array
    window_updates: jax.Array
    trend: jax.Array
    last_reward: jax.Array
    ignored_losses: jax.Array


STRATEGIES = ("ucb", "thompson", "epsilon_greedy")


def bandit(
    *,
    window: int,
    strategy: str = "ucb",
    discount: float = 0.9,
    seed: int = 0,
    exploration: float = 1.0,
    epsilon: float = 0.1,
    loss_is_log: bool = False,
) -> Selector:
    """Runs the candidate that has been reducing the loss fastest, trying each, as a discounted bandit.

    Training goes in windows of ``window`` updates by one candidate. A window's reward is its rate: minus the
    least-squares slope of ``log(loss)`` against the update index ``i = 0 .. W-1``,

        ``r = -sum_i (i - (W-1)/2) log(loss_i) / (W (W^2 - 1) / 12)``,

    about the fraction of the loss removed per update. After each window, every candidate's statistics
    decay by ``discount`` and the window's candidate earns ``r``: ``S_k = discount S_k + r``,
    ``n_k = discount n_k + 1``, its estimate is ``m_k = S_k / n_k``, and ``s`` is the discounted standard
    deviation of all rewards. The next window goes to a candidate never tried, in order, while there is
    one; then to the highest score:

    * ``"ucb"`` (discounted UCB): ``m_k + exploration s sqrt(2 log(sum n) / n_k)``;
    * ``"thompson"``: ``m_k + exploration s z_k / sqrt(n_k)`` with ``z_k`` standard normal;
    * ``"epsilon_greedy"``: ``m_k``, except with probability ``epsilon`` a candidate drawn uniformly.

    Updates with a non-finite loss are skipped, as for every selector; so are those with a loss ``<= 0``, which
    has no log: they are counted in ``state.ignored_losses`` and in :func:`optswitch.summary`, with a warning the
    first time outside jit (and inside jit with ``switch(on_event=...)``). For a loss that can reach 0 or go
    negative, pass ``value=loss - floor``, ``floor`` below any loss the run can reach. Randomness comes from
    ``jax.random.key(seed)`` folded with the window count. A window interrupted by a switch from the host
    starts over with the new candidate. Why the reward is fair to candidates run at different times, and
    where it is not: ``docs/selectors.md``.

    Args:
        window: updates per window, an int >= 2.
        strategy: ``"ucb"``, ``"thompson"`` or ``"epsilon_greedy"``.
        discount: decay of the statistics per window, in ``(0, 1]`` (1: no discounting).
        seed: seed of the randomness of ``"thompson"`` and ``"epsilon_greedy"``.
        exploration: weight of the exploration term of ``"ucb"`` and ``"thompson"``, >= 0.
        epsilon: probability of a random pick for ``"epsilon_greedy"``, in ``[0, 1]``.
        loss_is_log: whether the loss is a logarithm already (a negative log-likelihood, which may be 0 or less):
            a window's rate is then the slope of the loss itself, not of ``log(loss)``, and every update counts.
            Default False.

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
    check_count("bandit", "window", window, 2, " (a slope needs two updates)")
    if strategy not in STRATEGIES:
        raise ValueError(f"bandit: strategy={strategy!r}; choose from {list(STRATEGIES)}.")
    check_number("bandit", "discount", discount, 0.0, 1.0, open_low=True)
    check_number("bandit", "exploration", exploration, 0.0)
    check_number("bandit", "epsilon", epsilon, 0.0, 1.0)
    if not is_count(seed, -(2**63)):
        raise ValueError(f"bandit: seed={seed!r}; it must be an int, the seed of jax.random.key.")
    warned: list[bool] = []
    # The window's length is fixed, so the slope is a centred sum; the race's windows vary and use _line_fit.
    spread_of_index = window * (window**2 - 1) / 12

    def init(names):
        n, dtype = len(names), default_float()
        return BanditState(
            reward_sums=jnp.zeros([n], dtype),
            weights=jnp.zeros([n], dtype),
            square_sums=jnp.zeros([n], dtype),
            windows=jnp.zeros([], jnp.int32),
            arm=jnp.full([], -1, jnp.int32),
            window_updates=jnp.zeros([], jnp.int32),
            trend=jnp.zeros([], dtype),
            last_reward=jnp.zeros([], dtype),
            ignored_losses=jnp.zeros([], jnp.int32),
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
        counts = _window.usable(loss, "bandit", warned, loss_is_log)
        restart = _window.restarts(signals.active, state.arm)
        updates = jnp.where(restart, 0, state.window_updates)
        position = updates.astype(dtype) - (window - 1) / 2
        trend = jnp.where(restart, 0, state.trend) + position * _window.log_loss(loss, counts, loss_is_log)
        updates = updates + 1
        complete = updates == window
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
            window_updates=jnp.zeros_like(updates),
            trend=jnp.zeros_like(trend),
            last_reward=reward,
            ignored_losses=state.ignored_losses,
        )
        going = state._replace(arm=signals.active, window_updates=updates, trend=trend)
        new_state = optax.tree.where(complete, ended, going)
        return _window.settle(counts, jnp.where(complete, choice, signals.active), new_state, state, signals.active)

    return Selector(
        init=init, select=select, reads=frozenset({"loss"}), name=f"bandit({strategy})", explain=explainer(strategy)
    )


def estimates(state: BanditState) -> jax.Array:
    """``[N]``, each candidate's discounted mean reward, NaN for one never tried."""
    return jnp.where(state.weights > 0, state.reward_sums / jnp.where(state.weights > 0, state.weights, 1), jnp.nan)


def explainer(strategy: str):
    """Why :func:`bandit` switched (:attr:`Selector.explain`): ``"ucb after 12 windows, mean rates adam 0.01, ..."``."""

    def explain(signals, before: BanditState, after: BanditState):
        del signals, before

        def text(numbers, names):
            rates = ", ".join(
                f"{name} {rate:.2g}" if np.isfinite(rate) else f"{name} untried"
                for name, rate in zip(names, numbers["estimates"], strict=True)
            )
            return f"{strategy} after {int(numbers['windows'])} windows, mean rates {rates}"

        return {"estimates": estimates(after), "windows": after.windows}, text

    return explain


def key_numbers(state: BanditState, names: tuple[str, ...]) -> dict[str, jax.Array]:
    """The numbers of :func:`optswitch.metrics` for :func:`bandit`: each candidate's mean rate, windows run."""
    mean = estimates(state)
    return {"windows": state.windows, **{f"rate/{name}": mean[k] for k, name in enumerate(names)}}
