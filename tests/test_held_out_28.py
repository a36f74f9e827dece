"""The held-out-28 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy); they train; and
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind."""

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special, stats

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_28

HELD_OUT_28 = ["arm-inverse-kinematics", "complex-kg-completion", "gmm-full-covariance"]


def test_the_held_out_28_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_28, HELD_OUT_28, "held-out-27", 44, help_text)


def _tip_by_hand(angles):
    """The pose of the arm's tip for one set of joint angles, link by link: its position, then the cosine and sine of
    its heading."""
    x = y = heading = 0.0
    for length, angle in zip([1.0, 0.8, 0.6], angles, strict=True):
        heading += angle
        x, y = x + length * np.cos(heading), y + length * np.sin(heading)
    return np.array([x, y, np.cos(heading), np.sin(heading)])


def test_arm_inverse_kinematics_holds_the_data_its_docstring_states():
    task = tasks.arm_inverse_kinematics()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 4) and data["x_val"].shape == (1000, 4)
    # The data by hand: the shoulder's angles, the elbow's, the wrist's; each pose the tip's; the first 1,000 for
    # validation; the inputs and the targets are the same poses.
    rng = np.random.default_rng(0)
    angles = np.stack([rng.uniform(-np.pi / 2, np.pi / 2, 5000), rng.uniform(0.2, 2.4, 5000)], 1)
    angles = np.concatenate([angles, rng.uniform(0.2, 2.4, [5000, 1])], 1)
    poses = np.array([_tip_by_hand(a) for a in angles])
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), poses, atol=1e-5)
    np.testing.assert_array_equal(data["x_train"], data["y_train"])
    np.testing.assert_array_equal(data["x_val"], data["y_val"])
    # The references on the validation poses: the true angles, the middle angles (0, 1.3, 1.3), every angle zero.
    assert np.mean(np.sum((np.array([_tip_by_hand(a) for a in angles[:1000]]) - poses[:1000]) ** 2, 1)) == 0
    middle = np.mean(np.sum((_tip_by_hand([0, 1.3, 1.3]) - poses[:1000]) ** 2, 1))
    assert middle == pytest.approx(REFERENCES["arm-middle"], abs=5e-4)
    straight = np.mean(np.sum((_tip_by_hand([0, 0, 0]) - poses[:1000]) ** 2, 1))
    assert straight == pytest.approx(REFERENCES["arm-straight"], abs=5e-4)
    # The model by hand on 8 poses: the MLP 4-64-64-3 (tanh) to the angles, then the pose they reach.
    params = jax.tree.map(lambda a: np.asarray(a, np.float64), task.init(jax.random.PRNGKey(3)))
    assert [layer["w"].shape for layer in params] == [(4, 64), (64, 64), (64, 3)]
    errors = []
    for pose in poses[:8]:
        hidden = np.tanh(np.tanh(pose @ params[0]["w"] + params[0]["b"]) @ params[1]["w"] + params[1]["b"])
        reached = _tip_by_hand(hidden @ params[2]["w"] + params[2]["b"])
        errors.append(np.sum((reached - pose) ** 2))
    batch = (jnp.asarray(poses[:8], jnp.float32), jnp.asarray(poses[:8], jnp.float32))
    value = jax.jit(task.loss)(task.init(jax.random.PRNGKey(3)), batch)
    assert float(value) == pytest.approx(np.mean(errors), rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _complex_by_hand(table):
    """A ComplEx table as complex numbers: its real half, then its imaginary half."""
    half = table.shape[-1] // 2
    return table[..., :half] + 1j * table[..., half:]


def test_complex_kg_completion_holds_the_data_its_docstring_states():
    task = tasks.complex_kg_completion()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    assert data["x_train"].shape == (10000, 2) and data["x_val"].shape == (2000, 2)
    # The data by hand: the true entities and relations, then the heads, the relations, and a uniform number per
    # triple whose place in the cumulative softmax of the true scores picks the tail; the first 2,000 for validation.
    rng = np.random.default_rng(0)
    entities, relations = _complex_by_hand(rng.normal(0, 1, [100, 8])), _complex_by_hand(rng.normal(0, 1, [6, 8]))
    heads, kinds = rng.integers(0, 100, 12000), rng.integers(0, 6, 12000)
    uniform = rng.uniform(size=12000)
    scores = np.array(
        [np.real(entities[h] * relations[r] @ np.conj(entities).T) for h, r in zip(heads, kinds, strict=True)]
    )
    odds = special.softmax(scores, 1)
    tails = np.array([np.searchsorted(np.cumsum(p), u) for p, u in zip(odds, uniform, strict=True)])
    np.testing.assert_array_equal(np.concatenate([data["x_val"], data["x_train"]]), np.stack([heads, kinds], 1))
    np.testing.assert_array_equal(np.concatenate([data["y_val"], data["y_train"]]), tails)
    # The relations are asymmetric: a head's score as a tail differs from the tail's as a head.
    assert not np.allclose(
        scores[0], [np.real(e * relations[kinds[0]] @ np.conj(entities[heads[0]])) for e in entities]
    )
    # The references on the validation triples: the true model; the training tails' frequencies; equal odds.
    true = np.mean(-np.log(odds[np.arange(2000), tails[:2000]]))
    assert true == pytest.approx(REFERENCES["kg-true"], abs=5e-4)
    frequencies = np.bincount(tails[2000:], minlength=100) / 10000
    assert np.mean(-np.log(frequencies[tails[:2000]])) == pytest.approx(REFERENCES["kg-frequencies"], abs=5e-4)
    zero = {"entities": jnp.zeros([100, 16]), "relations": jnp.zeros([6, 16])}
    assert float(task.evaluate(zero, task.data)) == pytest.approx(np.log(100), rel=1e-6)
    # The model by hand on 8 triples: every entity's score as the tail, the cross entropy of the true one.
    params = jax.tree.map(lambda a: np.asarray(a, np.float64), task.init(jax.random.PRNGKey(3)))
    assert params["entities"].shape == (100, 16) and params["relations"].shape == (6, 16)
    model_entities, model_relations = _complex_by_hand(params["entities"]), _complex_by_hand(params["relations"])
    losses = []
    for h, r, t in zip(heads[:8], kinds[:8], tails[:8], strict=True):
        logits = np.real(model_entities[h] * model_relations[r] @ np.conj(model_entities).T)
        losses.append(special.logsumexp(logits) - logits[t])
    batch = (jnp.asarray(np.stack([heads[:8], kinds[:8]], 1), jnp.int32), jnp.asarray(tails[:8], jnp.int32))
    value = jax.jit(task.loss)(task.init(jax.random.PRNGKey(3)), batch)
    assert float(value) == pytest.approx(np.mean(losses), rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def test_gmm_full_covariance_holds_the_data_its_docstring_states():
    task = tasks.gmm_full_covariance()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (6000, 3) and data["x_val"].shape == (2000, 3)
    # The data by hand: the weights, the means, the factors A; each point's component, then its standard normal
    # numbers, coloured by the Cholesky factor of its component's covariance A A^T + 0.1 I; the first 2,000 for
    # validation.
    rng = np.random.default_rng(0)
    weights, means = rng.dirichlet([5.0] * 6), rng.normal(0, 2, [6, 3])
    factors = rng.normal(0, 0.5, [6, 3, 3])
    covariances = [a @ a.T + 0.1 * np.eye(3) for a in factors]
    labels, noise = rng.choice(6, 8000, p=weights), rng.normal(size=[8000, 3])
    points = np.array([means[k] + np.linalg.cholesky(covariances[k]) @ z for k, z in zip(labels, noise, strict=True)])
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), points, atol=1e-5)
    # The references on the validation points: the true mixture; one Gaussian of the training points' mean and
    # covariance.
    density = sum(
        w * stats.multivariate_normal(m, c).pdf(points[:2000])
        for w, m, c in zip(weights, means, covariances, strict=True)
    )
    assert np.mean(-np.log(density)) == pytest.approx(REFERENCES["gmm-true"], abs=5e-4)
    one = stats.multivariate_normal(points[2000:].mean(0), np.cov(points[2000:].T, bias=True))
    assert np.mean(-one.logpdf(points[:2000])) == pytest.approx(REFERENCES["gmm-one"], abs=5e-4)
    # The start: equal weights, 6 distinct training points as the means, the identity as every Cholesky factor.
    start = jax.tree.map(np.asarray, task.init(jax.random.PRNGKey(3)))
    assert np.all(start["logits"] == 0) and np.all(start["cholesky"] == 0) and np.all(start["log_diagonal"] == 0)
    rows = [np.flatnonzero(np.all(np.abs(points[2000:] - m) < 1e-5, 1)) for m in start["means"]]
    assert all(len(r) == 1 for r in rows) and len({r[0] for r in rows}) == 6
    # The model by hand on 16 points: any weights, means and Cholesky factors (the strict lower triangle as it is, the
    # diagonal exp), each component's density by scipy.
    params = {
        "logits": rng.normal(0, 1, 6),
        "means": rng.normal(0, 2, [6, 3]),
        "cholesky": rng.normal(0, 0.5, [6, 3, 3]),
        "log_diagonal": rng.normal(0, 0.3, [6, 3]),
    }
    log_weights = params["logits"] - special.logsumexp(params["logits"])
    nll = []
    for x in points[:16]:
        logs = []
        for k in range(6):
            lower = np.tril(params["cholesky"][k], -1) + np.diag(np.exp(params["log_diagonal"][k]))
            logs.append(log_weights[k] + stats.multivariate_normal(params["means"][k], lower @ lower.T).logpdf(x))
        nll.append(-special.logsumexp(logs))
    batch = (jnp.asarray(points[:16], jnp.float32), jnp.zeros(16))
    value = jax.jit(task.loss)(jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), params), batch)
    assert float(value) == pytest.approx(np.mean(nll), rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


REFERENCES = {
    "arm-middle": 2.6862,
    "arm-straight": 7.9912,
    "kg-true": 2.7462,
    "kg-frequencies": 4.3216,
    "gmm-true": 4.9438,
    "gmm-one": 5.8107,
}


@pytest.mark.parametrize("name", HELD_OUT_28)
def test_held_out_28_tasks_train(name):
    held_out_split.check_trains(name)


def test_held_out_28_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-28", HELD_OUT_28)
