"""The held-out-23 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy); they train; and
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind."""

import itertools
import math

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate, optimize

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_23

HELD_OUT_23 = ["neural-ode-lotka", "neuralsort-ranking", "switch-moe-languages"]


def test_the_held_out_23_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_23, HELD_OUT_23, "held-out-22", 39, help_text)


def _mlp_tanh(params, x):
    for layer in params[:-1]:
        x = np.tanh(x @ layer["w"] + layer["b"])
    return x @ params[-1]["w"] + params[-1]["b"]


def _random_mlp(rng, widths):
    return [
        {"w": rng.normal(size=[a, b]) / math.sqrt(a), "b": rng.normal(size=b) / 4}
        for a, b in itertools.pairwise(widths)
    ]


def test_neural_ode_lotka_holds_the_data_its_docstring_states():
    task = tasks.neural_ode_lotka()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (512, 2) and data["y_train"].shape == (512, 12, 2)
    assert data["x_val"].shape == (256, 2) and data["y_val"].shape == (256, 12, 2)
    # The data by hand: starts uniform in [0.5, 1.5]^2; the Lotka-Volterra equations x' = x - x y, y' = x y - y solved
    # to a tight tolerance (not by RK4) at 0.25, ..., 3; N(0, 0.02^2) on each state; the first 256 for validation.
    rng = np.random.default_rng(0)
    starts = rng.uniform(0.5, 1.5, [768, 2])
    times = 0.25 * np.arange(1, 13)

    def field(_, state):
        return [state[0] - state[0] * state[1], state[0] * state[1] - state[1]]

    clean = np.stack([integrate.solve_ivp(field, (0, 3), s, t_eval=times, rtol=1e-10, atol=1e-10).y.T for s in starts])
    observed = clean + 0.02 * rng.normal(size=clean.shape)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), starts, atol=1e-6)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), observed, atol=1e-5)
    # The references on the validation trajectories: the start held constant, the linearization at the equilibrium
    # (a rotation about (1, 1), solved exactly here) and the true field (the noise's variance).
    val_starts, val_observed = starts[:256], observed[:256]
    assert np.mean((val_starts[:, None] - val_observed) ** 2) == pytest.approx(0.177, abs=5e-4)
    u, v = val_starts[:, 0, None] - 1, val_starts[:, 1, None] - 1
    rotation = np.stack([1 + u * np.cos(times) - v * np.sin(times), 1 + u * np.sin(times) + v * np.cos(times)], -1)
    assert np.mean((rotation - val_observed) ** 2) == pytest.approx(0.0060, abs=5e-5)
    assert np.mean((clean[:256] - val_observed) ** 2) == pytest.approx(0.00040, abs=5e-6)
    # The model by hand: an MLP 2-32-32-2 (tanh) of the state, 2 RK4 steps of 0.125 between observations.
    params = _random_mlp(rng, [2, 32, 32, 2])
    states, state = [], val_starts[:16]
    for _ in range(24):
        k1 = _mlp_tanh(params, state)
        k2 = _mlp_tanh(params, state + 0.0625 * k1)
        k3 = _mlp_tanh(params, state + 0.0625 * k2)
        k4 = _mlp_tanh(params, state + 0.125 * k3)
        state = state + 0.125 / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        states.append(state)
    by_hand = np.mean((np.stack(states, 1)[:, 1::2] - val_observed[:16]) ** 2)
    batch = (jnp.asarray(val_starts[:16], jnp.float32), jnp.asarray(val_observed[:16], jnp.float32))
    assert float(jax.jit(task.loss)(jax.tree.map(np.float32, params), batch)) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _relaxed_sort(scores, temperature=1.0):
    """NeuralSort by hand, row by row: row i (from 1) a softmax of ((n + 1 - 2 i) s_j - sum_k |s_j - s_k|) / t."""
    n = scores.shape[-1]
    rows = []
    for i in range(1, n + 1):
        logits = (
            np.stack(
                [(n + 1 - 2 * i) * scores[..., j] - np.abs(scores[..., j, None] - scores).sum(-1) for j in range(n)], -1
            )
            / temperature
        )
        logits = logits - logits.max(-1, keepdims=True)
        rows.append(np.exp(logits) / np.exp(logits).sum(-1, keepdims=True))
    return np.stack(rows, -2)


def _sort_cross_entropy(scores, orders, temperature=1.0):
    chances = np.take_along_axis(_relaxed_sort(scores, temperature), orders[..., None], -1)
    return -np.mean(np.log(chances))


def test_neuralsort_ranking_holds_the_data_its_docstring_states():
    task = tasks.neuralsort_ranking()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (2000, 10, 5) and data["x_val"].shape == (500, 10, 5)
    # The data by hand: items uniform in [-1, 1]^5, the hidden score x0 + sin(2 x1) + x2 x3 - x4^2 plus N(0, 0.3^2),
    # each set's items from the largest noisy score down; the first 500 sets for validation.
    rng = np.random.default_rng(0)
    items = rng.uniform(-1, 1, [2500, 10, 5])
    hidden = items[..., 0] + np.sin(2 * items[..., 1]) + items[..., 2] * items[..., 3] - items[..., 4] ** 2
    noisy = hidden + 0.3 * rng.normal(size=[2500, 10])
    orders = np.array([sorted(range(10), key=lambda k, row=row: -row[k]) for row in noisy])
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), items, atol=1e-6)
    np.testing.assert_array_equal(np.concatenate([data["y_val"], data["y_train"]]), orders)
    # The relaxed sort is a sort: at a small temperature each row is the hard permutation of the scores.
    scores = rng.normal(size=[4, 10])
    hard = np.eye(10)[np.argsort(-scores, 1)]
    np.testing.assert_allclose(_relaxed_sort(scores, 1e-4), hard, atol=1e-6)
    # The references on the validation sets: equal scores (ln 10), and the hidden score and a least-squares linear
    # fit of it on the training items, each at its best scale.
    val_items, val_orders = items[:500], orders[:500]
    assert _sort_cross_entropy(np.zeros([500, 10]), val_orders) == pytest.approx(math.log(10))
    true = optimize.minimize_scalar(
        lambda c: _sort_cross_entropy(c * hidden[:500], val_orders), bounds=(0.1, 50), method="bounded"
    )
    assert true.fun == pytest.approx(1.235, abs=5e-4) and true.x == pytest.approx(1.94, abs=0.01)
    features = np.concatenate([items[500:].reshape(-1, 5), np.ones([20000, 1])], 1)
    weights = np.linalg.lstsq(features, hidden[500:].reshape(-1), rcond=None)[0]
    linear = optimize.minimize_scalar(
        lambda c: _sort_cross_entropy(c * (val_items @ weights[:5]), val_orders), bounds=(0.1, 50), method="bounded"
    )
    assert linear.fun == pytest.approx(1.758, abs=5e-4) and linear.x == pytest.approx(0.57, abs=0.01)
    # The model by hand: an MLP 5-32-32-1 (tanh) scores each item, the relaxed sort at temperature 1.
    params = _random_mlp(rng, [5, 32, 32, 1])
    by_hand = _sort_cross_entropy(_mlp_tanh(params, val_items[:16])[..., 0], val_orders[:16])
    batch = (jnp.asarray(val_items[:16], jnp.float32), jnp.asarray(val_orders[:16], jnp.int32))
    assert float(jax.jit(task.loss)(jax.tree.map(np.float32, params), batch)) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _switch_by_hand(params, windows):
    """The switch layer's logits and load-balancing loss, by hand, window by window."""
    logits, probabilities, chosen = [], [], []
    for window in windows:
        h = np.concatenate([params["embed"][token] for token in window])
        router = np.exp(h @ params["router"] - np.max(h @ params["router"]))
        router = router / router.sum()
        expert = int(np.argmax(router))
        hidden = np.maximum(h @ params["w1"][expert] + params["b1"][expert], 0)
        output = router[expert] * (hidden @ params["w2"][expert] + params["b2"][expert])
        logits.append(output @ params["out"]["w"] + params["out"]["b"])
        probabilities.append(router)
        chosen.append(np.eye(4)[expert])
    balance = 4 * np.sum(np.mean(chosen, 0) * np.mean(probabilities, 0))
    return np.array(logits), balance


def _nll(logits, targets):
    logits = logits - logits.max(-1, keepdims=True)
    log_chances = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    return -np.mean(log_chances[np.arange(len(targets)), targets])


def test_switch_moe_languages_holds_the_data_its_docstring_states():
    task = tasks.switch_moe_languages()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (40000, 4) and data["x_val"].shape == (2000, 4)
    assert data["y_train"].shape == (40000,) and data["x_train"].dtype == np.int32
    # The data by hand: 4 bigram tables over 16 tokens, each row Dirichlet(0.3); a language uniform, a first token
    # uniform, then 4 more by the language's table, each the inverse of the cumulative row at a uniform number.
    rng = np.random.default_rng(0)
    tables = rng.dirichlet(np.full(16, 0.3), [4, 16])
    language, tokens = rng.integers(0, 4, 42000), np.zeros([42000, 5], int)
    tokens[:, 0] = rng.integers(0, 16, 42000)
    for t in range(1, 5):
        uniform = rng.random(42000)
        rows = np.cumsum(tables[language, tokens[:, t - 1]], -1)
        tokens[:, t] = [min(np.searchsorted(row, u, side="right"), 15) for row, u in zip(rows, uniform, strict=True)]
    np.testing.assert_array_equal(np.concatenate([data["x_val"], data["x_train"]]), tokens[:, :4])
    np.testing.assert_array_equal(np.concatenate([data["y_val"], data["y_train"]]), tokens[:, 4])
    # The references on the validation windows: the training targets' frequencies and a bigram table of the training
    # windows' last two tokens (counts plus 1), and the model that drew the data (Bayes' rule over the languages).
    train, val = tokens[2000:], tokens[:2000]
    frequencies = (np.bincount(train[:, 4], minlength=16) + 1) / (40000 + 16)
    assert -np.mean(np.log(frequencies[val[:, 4]])) == pytest.approx(2.757, abs=5e-4)
    counts = np.ones([16, 16])
    for a, b in zip(train[:, 3], train[:, 4], strict=True):
        counts[a, b] += 1
    bigram = counts / counts.sum(1, keepdims=True)
    assert -np.mean(np.log(bigram[val[:, 3], val[:, 4]])) == pytest.approx(2.478, abs=5e-4)
    likelihoods = np.prod([tables[:, val[:, t], val[:, t + 1]] for t in range(3)], 0)  # [4, 2000]
    posterior = likelihoods / likelihoods.sum(0)
    chances = np.sum(posterior * tables[:, val[:, 3], val[:, 4]], 0)
    assert -np.mean(np.log(chances)) == pytest.approx(1.954, abs=5e-4)
    # The model by hand, and its losses: the cross entropy (the metric), plus 0.01 times the load balance (training).
    params = {
        "embed": rng.normal(size=[16, 16]),
        "router": rng.normal(size=[64, 4]) / 4,
        "w1": rng.normal(size=[4, 64, 64]) / 8,
        "b1": rng.normal(size=[4, 64]) / 4,
        "w2": rng.normal(size=[4, 64, 64]) / 8,
        "b2": rng.normal(size=[4, 64]) / 4,
        "out": {"w": rng.normal(size=[64, 16]) / 8, "b": rng.normal(size=16) / 4},
    }
    logits, balance = _switch_by_hand(params, val[:32, :4])
    f32 = jax.tree.map(np.float32, params)
    batch = (jnp.asarray(val[:32, :4], jnp.int32), jnp.asarray(val[:32, 4], jnp.int32))
    nll = _nll(logits, val[:32, 4])
    assert float(jax.jit(task.loss)(f32, batch)) == pytest.approx(nll + 0.01 * balance, rel=1e-4)
    small = {"x_val": batch[0], "y_val": batch[1]}
    assert float(jax.jit(task.evaluate)(f32, small)) == pytest.approx(nll, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


@pytest.mark.parametrize("name", HELD_OUT_23)
def test_held_out_23_tasks_train(name):
    held_out_split.check_trains(name)


def test_held_out_23_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-23", HELD_OUT_23)
