"""The held-out-26 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy); they train; and
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind."""

import itertools

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_26

HELD_OUT_26 = ["factorization-machine-ratings", "chamfer-set-autoencoder", "hopfield-retrieval"]


def test_the_held_out_26_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_26, HELD_OUT_26, "held-out-25", 42, help_text)


def _fm_by_hand(w0, w, v, row):
    """A factorization machine's rating of one row of active features, every pair's dot product summed."""
    return w0 + sum(w[i] for i in row) + sum(v[i] @ v[j] for i, j in itertools.combinations(row, 2))


def test_factorization_machine_ratings_holds_the_data_its_docstring_states():
    task = tasks.factorization_machine_ratings()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (6000, 4) and data["x_val"].shape == (1500, 4)
    # The data by hand: genres of the 150 items, age groups of the 200 users, then the true weights and factors of the
    # 365 features (users, items, genres, age groups, in that order), then the pairs, the ratings' noise last.
    rng = np.random.default_rng(0)
    genre = rng.integers(0, 10, 150)
    age = rng.integers(0, 5, 200)
    w = rng.normal(0, 0.3, 365)
    v = rng.normal(0, 0.5, [365, 4])
    user, item = rng.integers(0, 200, 7500), rng.integers(0, 150, 7500)
    rows = [(u, 200 + i, 350 + genre[i], 360 + age[u]) for u, i in zip(user, item, strict=True)]
    truth = np.array([_fm_by_hand(0.0, w, v, row) for row in rows])
    y = truth + rng.normal(0, 0.3, 7500)
    np.testing.assert_array_equal(np.concatenate([data["x_val"], data["x_train"]]), rows)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), y, atol=1e-5)
    # The references on the validation ratings: the training mean, the true machine.
    assert np.mean((y[:1500] - y[1500:].mean()) ** 2) == pytest.approx(REFERENCES["fm-mean"], abs=5e-3)
    assert np.mean((y[:1500] - truth[:1500]) ** 2) == pytest.approx(REFERENCES["fm-true"], abs=5e-4)
    # The model by hand: any weights and factors of 8, on 16 ratings.
    params = {"w0": 0.3, "w": rng.normal(size=365), "v": rng.normal(size=[365, 8]) / 3}
    predicted = np.array([_fm_by_hand(0.3, params["w"], params["v"], row) for row in rows[:16]])
    by_hand = np.mean((predicted - y[:16]) ** 2)
    batch = (jnp.asarray(rows[:16], jnp.int32), jnp.asarray(y[:16], jnp.float32))
    value = jax.jit(task.loss)(jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), params), batch)
    assert float(value) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _chamfer_by_hand(a, b):
    """Each point's squared distance to the nearest of the other set, by loops, averaged, both ways added."""
    there = np.mean([min(np.sum((p - q) ** 2) for q in b) for p in a])
    back = np.mean([min(np.sum((p - q) ** 2) for q in a) for p in b])
    return there + back


def test_chamfer_set_autoencoder_holds_the_data_its_docstring_states():
    task = tasks.chamfer_set_autoencoder()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (2000, 16, 2) and data["x_val"].shape == (500, 16, 2)
    # The sets by hand: centre, half axes, turn, angles, then the noise; each point the centre plus the turned point of
    # the ellipse; the first 500 for validation.
    rng = np.random.default_rng(0)
    centre = rng.uniform(-1, 1, [2500, 2])
    axes = rng.uniform(0.3, 1.0, [2500, 2])
    turn = rng.uniform(0, np.pi, 2500)
    angle = rng.uniform(0, 2 * np.pi, [2500, 16])
    sets = np.zeros([2500, 16, 2])
    for n, k in itertools.product(range(2500), range(16)):
        rotation = np.array([[np.cos(turn[n]), -np.sin(turn[n])], [np.sin(turn[n]), np.cos(turn[n])]])
        sets[n, k] = centre[n] + rotation @ (axes[n] * [np.cos(angle[n, k]), np.sin(angle[n, k])])
    sets += rng.normal(0, 0.02, [2500, 16, 2])
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), sets, atol=1e-5)
    # The reference: each validation set's own mean point, as a set of one.
    by_mean = np.mean([_chamfer_by_hand(s, s.mean(0, keepdims=True)) for s in sets[:500]])
    assert by_mean == pytest.approx(REFERENCES["chamfer-mean"], abs=5e-4)
    # The loss by hand on 4 sets against 4 others.
    params = task.init(jax.random.PRNGKey(0))
    x = jnp.asarray(sets[:4], jnp.float32)
    assert float(held_out_26._chamfer(x, x[::-1]).mean()) == pytest.approx(
        np.mean([_chamfer_by_hand(a, b) for a, b in zip(sets[:4], sets[:4][::-1], strict=True)]), rel=1e-4
    )
    assert np.isfinite(float(jax.jit(task.loss)(params, (x, jnp.zeros(4)))))
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def test_hopfield_retrieval_holds_the_data_its_docstring_states():
    task = tasks.hopfield_retrieval()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 32) and data["x_val"].shape == (1000, 32)
    # The data by hand: the 64 patterns, each query's pattern, the flips, then the noise; the first 1,000 validation.
    rng = np.random.default_rng(0)
    memory = rng.choice([-1.0, 1.0], [64, 32])
    which = rng.integers(0, 64, 5000)
    flipped = rng.uniform(size=[5000, 32]) < 0.2
    queries = np.where(flipped, -memory[which], memory[which]) + rng.normal(0, 0.3, [5000, 32])
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), queries, atol=1e-5)
    np.testing.assert_array_equal(np.concatenate([data["y_val"], data["y_train"]]), memory[which])
    assert flipped.mean() == pytest.approx(0.2, abs=5e-3)
    # The references on the validation queries: the mean of the patterns (equal attention), the query's own signs,
    # and the stored pattern nearest to the query (the best one-pattern retrieval).
    target = memory[which[:1000]]
    assert np.mean((memory.mean(0) - target) ** 2) == pytest.approx(REFERENCES["hopfield-mean"], abs=5e-4)
    assert np.mean((np.sign(queries[:1000]) - target) ** 2) == pytest.approx(REFERENCES["hopfield-signs"], abs=5e-4)
    nearest = memory[np.argmax(queries[:1000] @ memory.T, 1)]
    assert np.mean((nearest - target) ** 2) == pytest.approx(REFERENCES["hopfield-nearest"], abs=5e-4)
    # The model by hand: any query and key maps, on 16 queries.
    params = {"q": rng.normal(size=[32, 32]) / 8, "k": rng.normal(size=[32, 32]) / 8}
    weights = special.softmax((queries[:16] @ params["q"]) @ (memory @ params["k"]).T, 1)
    by_hand = np.mean((weights @ memory - target[:16]) ** 2)
    batch = (jnp.asarray(queries[:16], jnp.float32), jnp.asarray(target[:16], jnp.float32))
    value = jax.jit(task.loss)(jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), params), batch)
    assert float(value) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


REFERENCES = {
    "fm-mean": 1.972,
    "fm-true": 0.0883,
    "chamfer-mean": 0.6465,
    "hopfield-mean": 0.9857,
    "hopfield-signs": 0.7986,
    "hopfield-nearest": 0.2550,
}


@pytest.mark.parametrize("name", HELD_OUT_26)
def test_held_out_26_tasks_train(name):
    held_out_split.check_trains(name)


def test_held_out_26_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-26", HELD_OUT_26)
