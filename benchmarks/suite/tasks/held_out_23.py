"""The *held-out-23* tasks, added in round 39 for a later round, are kept aside from every design, the held-out-22
tasks' included, and run once (``--split held-out-23``) with the defaults frozen.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _dense_init, _fitted, _mlp_init, _mlp_tanh, _rows


def _lotka_volterra(state):
    """The vector field of :func:`neural_ode_lotka`'s predator and prey, ``x' = x - x y``, ``y' = x y - y``, on
    ``state [..., 2]``."""
    x, y = state[..., 0], state[..., 1]
    return np.stack([x - x * y, x * y - y], -1)


def _rk4_trajectory(field, start, step: float, substeps: int, observations: int, stack=jnp.stack):
    """The states that the classical Runge-Kutta method of step ``step`` reaches from ``start [..., 2]`` under
    ``field`` after each ``substeps`` steps, ``observations`` times: [..., observations, 2]."""
    states, state = [], start
    for _ in range(observations):
        for _ in range(substeps):
            k1 = field(state)
            k2 = field(state + step / 2 * k1)
            k3 = field(state + step / 2 * k2)
            k4 = field(state + step * k3)
            state = state + step / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        states.append(state)
    return stack(states, -2)


def _ode_trajectories(count: int, observations: int, interval: float, noise: float, rng: np.random.Generator):
    """The data of :func:`neural_ode_lotka`: starts uniform in [0.5, 1.5]^2, the true system's states every
    ``interval`` (RK4 of step ``interval`` / 20), plus N(0, ``noise``^2). Returns the starts and the observations."""
    starts = rng.uniform(0.5, 1.5, [count, 2])
    clean = _rk4_trajectory(_lotka_volterra, starts, interval / 20, 20, observations, np.stack)
    return starts, clean + noise * rng.normal(size=clean.shape)


def neural_ode_lotka(*, quick: bool = False) -> Task:
    """Learn the vector field of a predator and its prey from noisy trajectories: a neural ODE (an MLP 2-32-32-2,
    tanh) integrated by 24 unrolled RK4 steps, the squared error of the 12 observed states, batch 16 trajectories.

    A held-out-23 task, a neural ordinary differential equation (Chen et al. 2018), fitted by differentiating through
    the solver (discretize-then-optimize).
    """
    observations, interval, substeps, noise, train, held_out, batch = 12, 0.25, 2, 0.02, 512, 256, 16
    starts, observed = _ode_trajectories(train + held_out, observations, interval, noise, np.random.default_rng(0))
    data = _rows(starts[held_out:], observed[held_out:], starts[:held_out], observed[:held_out])
    step = interval / substeps

    def loss(params, starts, observed):
        predicted = _rk4_trajectory(lambda s: _mlp_tanh(params, s), starts, step, substeps, observations)
        return jnp.mean((predicted - observed) ** 2)

    return _fitted(
        "neural-ode-lotka",
        data,
        _mlp_init([2, 32, 32, 2]),
        loss,
        "val MSE",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"Lotka-Volterra trajectories, {observations} states every {interval:g} plus noise {noise:g}, "
        f"{train} train / {held_out} val starts; a neural ODE (MLP 2-32-32-2, tanh) by "
        f"{observations * substeps} RK4 steps; batch {batch}",
    )


def _neural_sort(scores, temperature: float):
    """Grover et al.'s relaxed sorting of ``scores [..., n]``: row ``i`` of the result [..., n, n] is a softmax over
    the items that puts its mass on the ``i``-th largest, ``((n + 1 - 2 i) s - A 1) / temperature`` with ``A`` the
    scores' absolute differences."""
    n = scores.shape[-1]
    spread = jnp.sum(jnp.abs(scores[..., :, None] - scores[..., None, :]), -1)
    scaling = (n + 1 - 2 * (jnp.arange(n) + 1)).astype(scores.dtype)
    return jax.nn.log_softmax((scaling[:, None] * scores[..., None, :] - spread[..., None, :]) / temperature, -1)


def _sort_score(x):
    """The hidden score of :func:`neuralsort_ranking`'s items ``x [..., 5]``: ``x0 + sin(2 x1) + x2 x3 - x4^2``."""
    return x[..., 0] + np.sin(2 * x[..., 1]) + x[..., 2] * x[..., 3] - x[..., 4] ** 2


def _ranked_sets(count: int, size: int, features: int, noise: float, rng: np.random.Generator):
    """The data of :func:`neuralsort_ranking`: sets of ``size`` items uniform in [-1, 1]^``features``, and the order
    of each set by its items' hidden scores plus N(0, ``noise``^2), the largest first. Returns the items and the
    orders [count, size]."""
    items = rng.uniform(-1, 1, [count, size, features])
    noisy = _sort_score(items) + noise * rng.normal(size=[count, size])
    return items, np.argsort(-noisy, 1, kind="stable")


def neuralsort_ranking(*, quick: bool = False) -> Task:
    """Learn to sort sets of items by a hidden score: an MLP 5-32-32-1 (tanh) scores each item, a relaxed sort of the
    scores (NeuralSort, temperature 1) is fitted to each set's true order by its cross entropy, batch 32 sets of 10.

    A held-out-23 task, a differentiable sorting operator (Grover et al. 2019).
    """
    size, features, noise, temperature, train, held_out, batch = 10, 5, 0.3, 1.0, 2000, 500, 32
    items, orders = _ranked_sets(train + held_out, size, features, noise, np.random.default_rng(0))
    data = _rows(items[held_out:], orders[held_out:], items[:held_out], orders[:held_out], jnp.int32)

    def loss(params, items, orders):
        log_sorted = _neural_sort(_mlp_tanh(params, items)[..., 0], temperature)
        return -jnp.mean(jnp.take_along_axis(log_sorted, orders[..., None], -1))

    return _fitted(
        "neuralsort-ranking",
        data,
        _mlp_init([features, 32, 32, 1]),
        loss,
        "val NeuralSort cross entropy",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"sets of {size} items in [-1, 1]^{features} ordered by a hidden score plus noise {noise:g}, "
        f"{train} train / {held_out} val sets; an MLP 5-32-32-1 (tanh) through NeuralSort (temperature "
        f"{temperature:g}); batch {batch}",
    )


def _language_tables(languages: int, vocabulary: int, concentration: float, rng: np.random.Generator):
    """The bigram tables of :func:`switch_moe_languages`' languages, each row Dirichlet(``concentration``)
    [languages, vocabulary, vocabulary]."""
    return rng.dirichlet(concentration * np.ones(vocabulary), [languages, vocabulary])


def _language_windows(count: int, context: int, tables, rng: np.random.Generator):
    """The data of :func:`switch_moe_languages`: a language uniform, a first token uniform, then ``context`` more by
    the language's bigram table. Returns the windows [count, context] and the next tokens [count]."""
    languages, vocabulary = tables.shape[:2]
    language = rng.integers(0, languages, count)
    tokens = np.zeros([count, context + 1], int)
    tokens[:, 0] = rng.integers(0, vocabulary, count)
    for t in range(1, context + 1):
        cumulative = np.cumsum(tables[language, tokens[:, t - 1]], -1)
        tokens[:, t] = np.minimum((rng.random(count)[:, None] > cumulative).sum(1), vocabulary - 1)
    return tokens[:, :context], tokens[:, context]


def _switch_logits(params, windows, experts: int):
    """:func:`switch_moe_languages`' next-token logits of ``windows [B, context]`` and its load-balancing loss: the
    window's embeddings concatenated, routed to the one expert of the largest router probability, whose output is
    scaled by that probability."""
    h = params["embed"][windows].reshape(windows.shape[0], -1)
    probabilities = jax.nn.softmax(h @ params["router"], -1)
    chosen = jax.nn.one_hot(jnp.argmax(probabilities, -1), experts)
    hidden = jax.nn.relu(jnp.einsum("bi,eij->bej", h, params["w1"]) + params["b1"])
    outputs = jnp.einsum("bej,ejk->bek", hidden, params["w2"]) + params["b2"]
    mixed = jnp.einsum("be,bek->bk", chosen * probabilities, outputs)
    balance = experts * jnp.sum(jnp.mean(chosen, 0) * jnp.mean(probabilities, 0))
    return mixed @ params["out"]["w"] + params["out"]["b"], balance


def switch_moe_languages(*, quick: bool = False) -> Task:
    """Predict the next token of a window of 4 from one of 4 random languages: a switch mixture of experts (the
    window's embeddings routed to one of 4 MLP experts), the cross entropy plus a load-balancing loss, batch 64.

    A held-out-23 task, a mixture of experts with hard top-1 routing (the switch layer of Fedus, Zoph and Shazeer
    2021).
    """
    languages, vocabulary, concentration, context, width, hidden, experts = 4, 16, 0.3, 4, 16, 64, 4
    balance_weight, train, held_out, batch = 0.01, 40000, 2000, 64
    rng = np.random.default_rng(0)
    tables = _language_tables(languages, vocabulary, concentration, rng)
    windows, following = _language_windows(train + held_out, context, tables, rng)
    data = _rows(windows[held_out:], following[held_out:], windows[:held_out], following[:held_out], jnp.int32)
    data = {name: value.astype(jnp.int32) for name, value in data.items()}

    def init(key):
        keys = jax.random.split(key, 5)
        fan_in = context * width
        return {
            "embed": jax.random.normal(keys[0], [vocabulary, width]),
            "router": jax.random.normal(keys[1], [fan_in, experts]) / np.sqrt(fan_in),
            "w1": jax.random.normal(keys[2], [experts, fan_in, hidden]) / np.sqrt(fan_in),
            "b1": jnp.zeros([experts, hidden]),
            "w2": jax.random.normal(keys[3], [experts, hidden, hidden]) / np.sqrt(hidden),
            "b2": jnp.zeros([experts, hidden]),
            "out": _dense_init(keys[4], hidden, vocabulary),
        }

    def cross_entropy(params, windows, following):
        logits, _ = _switch_logits(params, windows, experts)
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), following[:, None], -1))

    def training_loss(params, batch):
        logits, balance = _switch_logits(params, batch[0], experts)
        nll = -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), batch[1][:, None], -1))
        return nll + balance_weight * balance

    task = _fitted(
        "switch-moe-languages",
        data,
        init,
        cross_entropy,
        "val NLL (nats a token)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"windows of {context} tokens of {vocabulary} from one of {languages} random bigram languages, "
        f"{train} train / {held_out} val; a switch layer of {experts} MLP experts (top-1 routing, load balancing "
        f"{balance_weight:g}); batch {batch}",
    )
    return task._replace(loss=training_loss)


SPLIT = "held-out-23"
TASKS: dict[str, Callable[..., Task]] = {
    "neural-ode-lotka": neural_ode_lotka,
    "neuralsort-ranking": neuralsort_ranking,
    "switch-moe-languages": switch_moe_languages,
}
