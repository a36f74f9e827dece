"""The held-out-29 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy); they train; and
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind."""

import itertools

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate, special

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_29

HELD_OUT_29 = ["legendre-series-fit", "tucker-completion", "hawkes-process-likelihood"]


def test_the_held_out_29_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_29, HELD_OUT_29, "held-out-28", 45, help_text)


def _legendre_by_hand(x, coefficients):
    """A Legendre series at each ``x``, each polynomial by scipy."""
    return sum(c * special.eval_legendre(k, x) for k, c in enumerate(coefficients))


def test_legendre_series_fit_holds_the_data_its_docstring_states():
    task = tasks.legendre_series_fit()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000,) and data["x_val"].shape == (1000,)
    # The data by hand: the 12 true coefficients, the 5,000 points, their noise; the first 1,000 for validation.
    rng = np.random.default_rng(0)
    coefficients = rng.normal(0, 0.05, 12)
    x = rng.uniform(-1, 1, 5000)
    y = _legendre_by_hand(x, coefficients) + rng.normal(0, 1e-3, 5000)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), x, atol=1e-7)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), y, atol=1e-8)
    # The references on the validation points: the start (every coefficient zero, the same on every seed), least
    # squares on the training points, the true coefficients.
    for seed in (0, 3):
        assert np.all(np.asarray(task.init(jax.random.PRNGKey(seed))) == 0)
    start = float(task.evaluate(task.init(jax.random.PRNGKey(3)), task.data))
    assert start == pytest.approx(np.mean(y[:1000] ** 2), rel=1e-5)
    assert start == pytest.approx(REFERENCES["legendre-start"], rel=1e-4)
    design = np.stack([special.eval_legendre(k, x[1000:]) for k in range(12)], 1)
    fitted = np.linalg.lstsq(design, y[1000:], rcond=None)[0]
    fit = np.mean((_legendre_by_hand(x[:1000], fitted) - y[:1000]) ** 2)
    assert fit == pytest.approx(REFERENCES["legendre-least-squares"], rel=1e-3)
    true = np.mean((_legendre_by_hand(x[:1000], coefficients) - y[:1000]) ** 2)
    assert true == pytest.approx(REFERENCES["legendre-true"], rel=1e-3)
    # Each coefficient's curvature is 2 / (2k + 1): the polynomials are orthogonal on [-1, 1], of mean square
    # 1 / (2k + 1) under the uniform distribution.
    gram = design.T @ design / 4000
    np.testing.assert_allclose(np.diag(gram), 1 / (2 * np.arange(12) + 1), rtol=0.06)
    assert np.max(np.abs(gram - np.diag(np.diag(gram)))) < 0.03
    # The model by hand on 8 points: any coefficients, the series by scipy.
    params = rng.normal(0, 0.05, 12)
    batch = (jnp.asarray(x[:8], jnp.float32), jnp.asarray(y[:8], jnp.float32))
    value = jax.jit(task.loss)(jnp.asarray(params, jnp.float32), batch)
    assert float(value) == pytest.approx(np.mean((_legendre_by_hand(x[:8], params) - y[:8]) ** 2), rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _rotation_by_hand(gaussian):
    """The orthogonal matrix of Gram-Schmidt on a Gaussian matrix's columns (a QR whose R has a positive diagonal)."""
    columns = []
    for column in gaussian.T:
        for done in columns:
            column = column - (done @ column) * done
        columns.append(column / np.linalg.norm(column))
    return np.stack(columns, 1)


def test_tucker_completion_holds_the_data_its_docstring_states():
    task = tasks.tucker_completion()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (2400, 3) and data["x_val"].shape == (800, 3)
    # The data by hand: the true core, each mode's factor (3 orthonormal columns times sqrt(20 / 3)), 3,200 distinct
    # entries and their noise; the first 800 for validation.
    rng = np.random.default_rng(0)
    core = rng.normal(0, 1, [3, 3, 3])
    factors = [_rotation_by_hand(rng.normal(size=[20, 20]))[:, :3] * np.sqrt(20 / 3) for _ in range(3)]
    flat = rng.choice(8000, 3200, replace=False)
    entries = np.stack([flat // 400, flat // 20 % 20, flat % 20], 1)
    true = np.array(
        [
            sum(
                core[p, q, r] * factors[0][i, p] * factors[1][j, q] * factors[2][k, r]
                for p in range(3)
                for q in range(3)
                for r in range(3)
            )
            for i, j, k in entries
        ]
    )
    values = true + rng.normal(0, 0.1, 3200)
    np.testing.assert_array_equal(np.concatenate([data["x_val"], data["x_train"]]), entries)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), values, atol=1e-5)
    assert len({tuple(e) for e in entries}) == 3200
    # The references on the validation entries: the true tensor (the noise's), the training entries' mean.
    assert np.mean((true[:800] - values[:800]) ** 2) == pytest.approx(REFERENCES["tucker-true"], abs=5e-5)
    assert np.mean((values[800:].mean() - values[:800]) ** 2) == pytest.approx(REFERENCES["tucker-mean"], abs=5e-5)
    # The start: a core of 4x4x4 and three factors of 20x4, N(0, 0.3^2).
    start = task.init(jax.random.PRNGKey(3))
    assert start["core"].shape == (4, 4, 4) and [f.shape for f in start["factors"]] == [(20, 4)] * 3
    every = np.concatenate([np.ravel(start["core"])] + [np.ravel(f) for f in start["factors"]])
    assert np.std(every) == pytest.approx(0.3, rel=0.1)
    # The model by hand on 8 entries: the core contracted with one row of each factor, term by term.
    params = jax.tree.map(lambda a: np.asarray(a, np.float64), start)
    predicted = [
        sum(
            params["core"][p, q, r]
            * params["factors"][0][i, p]
            * params["factors"][1][j, q]
            * params["factors"][2][k, r]
            for p in range(4)
            for q in range(4)
            for r in range(4)
        )
        for i, j, k in entries[:8]
    ]
    batch = (jnp.asarray(entries[:8], jnp.int32), jnp.asarray(values[:8], jnp.float32))
    value = jax.jit(task.loss)(start, batch)
    assert float(value) == pytest.approx(np.mean((np.array(predicted) - values[:8]) ** 2), rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _hawkes_by_hand(rng, baseline, branching, decay, horizon):
    """One sequence, generation by generation: the immigrants type by type, then each event's children type by type,
    those before the horizon kept; sorted by time (ties in the order drawn)."""
    events = []
    for k, rate in enumerate(baseline):
        events.append([(t, k) for t in rng.uniform(0, horizon, rng.poisson(rate * horizon))])
    generation = [event for group in events for event in group]
    every = []
    while generation:
        every.extend(generation)
        children = []
        for t, j in generation:
            for k in range(len(baseline)):
                delays = rng.exponential(1 / decay, rng.poisson(branching[k, j]))
                children.extend((t + d, k) for d in delays if t + d < horizon)
        generation = children
    every = sorted(enumerate(every), key=lambda item: (item[1][0], item[0]))
    return [event for _, event in every]


def _intensity_by_hand(t, k, events, baseline, branching, decay):
    """Type ``k``'s intensity at time ``t``, after the events strictly before ``t``."""
    return baseline[k] + sum(branching[k, j] * decay * np.exp(-decay * (t - s)) for s, j in events if s < t)


def _nll_by_hand(events, baseline, branching, decay, horizon):
    """A sequence's negative log-likelihood: the integral of every type's intensity over the window (its closed form,
    checked against quadrature on the first sequence) less the log-intensities at the events."""
    log_terms = sum(np.log(_intensity_by_hand(t, k, events, baseline, branching, decay)) for t, k in events)
    integral = horizon * baseline.sum() + sum(
        branching[:, j].sum() * (1 - np.exp(-decay * (horizon - s))) for s, j in events
    )
    return integral - log_terms


def test_hawkes_process_likelihood_holds_the_data_its_docstring_states():
    task = tasks.hawkes_process_likelihood()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (1000, 165) and data["x_val"].shape == (250, 165)
    # The data by hand: the branching matrix scaled to a spectral radius of 0.7, then each sequence by the cluster
    # representation; the first 250 for validation, each padded to the longest (times at the horizon, types -1).
    rng = np.random.default_rng(0)
    baseline, decay, horizon = np.array([0.3, 0.2, 0.4]), 1.5, 20.0
    branching = rng.uniform(0, 0.4, [3, 3])
    branching = branching * 0.7 / np.max(np.abs(np.linalg.eigvals(branching)))
    sequences = [_hawkes_by_hand(rng, baseline, branching, decay, horizon) for _ in range(1250)]
    times = np.concatenate([data["x_val"], data["x_train"]])
    marks = np.concatenate([data["y_val"], data["y_train"]])
    for row, events in enumerate(sequences):
        count = len(events)
        np.testing.assert_allclose(times[row, :count], [t for t, _ in events], rtol=1e-6)
        np.testing.assert_array_equal(marks[row, :count], [k for _, k in events])
        assert np.all(times[row, count:] == horizon) and np.all(marks[row, count:] == -1)
    counts = np.array([len(events) for events in sequences])
    assert (counts.min(), counts.max()) == (9, 165) and counts.mean() == pytest.approx(51, abs=0.5)
    # The references on the validation sequences, per event: the true process; a Poisson process of each type's
    # training rate.
    validation_events = counts[:250].sum()
    true = sum(_nll_by_hand(events, baseline, branching, decay, horizon) for events in sequences[:250])
    assert true / validation_events == pytest.approx(REFERENCES["hawkes-true"], abs=5e-4)
    rates = np.bincount([k for events in sequences[250:] for _, k in events], minlength=3) / (1000 * horizon)
    poisson = sum(_nll_by_hand(events, rates, np.zeros([3, 3]), decay, horizon) for events in sequences[:250])
    assert poisson / validation_events == pytest.approx(REFERENCES["hawkes-poisson"], abs=5e-4)
    # The integral's closed form against quadrature, on the first sequence, type by type.
    events = sequences[0]
    for k in range(3):
        breaks = [0.0] + [t for t, _ in events] + [horizon]
        quadrature = sum(
            integrate.quad(_intensity_by_hand, a, b, args=(k, events, baseline, branching, decay))[0]
            for a, b in itertools.pairwise(breaks)
            if b > a
        )
        closed = horizon * baseline[k] + sum(branching[k, j] * (1 - np.exp(-decay * (horizon - s))) for s, j in events)
        assert quadrature == pytest.approx(closed, rel=1e-6)
    # The model by hand on 4 sequences: any softplus inputs, the negative log-likelihood per event of the batch.
    raw = {
        "baseline": rng.normal(0, 0.5, 3),
        "branching": rng.normal(-1, 0.5, [3, 3]),
        "decay": np.asarray(rng.normal(0, 0.5)),
    }
    softplus = {name: np.logaddexp(0, value) for name, value in raw.items()}
    by_hand = sum(
        _nll_by_hand(events, softplus["baseline"], softplus["branching"], softplus["decay"], horizon)
        for events in sequences[:4]
    )
    batch = (jnp.asarray(times[:4]), jnp.asarray(marks[:4], jnp.int32))
    value = jax.jit(task.loss)(jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), raw), batch)
    assert float(value) == pytest.approx(by_hand / counts[:4].sum(), rel=1e-4)
    # The start: the softplus's inputs N(0, 0.1^2) for the baselines and the decay, -1 plus N(0, 0.1^2) for the
    # branching matrix.
    start = jax.tree.map(np.asarray, task.init(jax.random.PRNGKey(3)))
    assert start["baseline"].shape == (3,) and start["branching"].shape == (3, 3) and start["decay"].shape == ()
    assert np.all(np.abs(start["baseline"]) < 0.5) and np.all(np.abs(start["branching"] + 1) < 0.5)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


REFERENCES = {
    "legendre-start": 1.2150e-3,
    "legendre-least-squares": 1.0100e-6,
    "legendre-true": 1.0058e-6,
    "tucker-true": 0.0097,
    "tucker-mean": 0.5917,
    "hawkes-true": 0.9275,
    "hawkes-poisson": 1.1221,
}


@pytest.mark.parametrize("name", HELD_OUT_29)
def test_held_out_29_tasks_train(name):
    held_out_split.check_trains(name, held_out_split.PLATEAU_UPDATES.get(name, 20))


def test_held_out_29_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-29", HELD_OUT_29)
