"""The held-out-25 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy); they train; and
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind."""

import itertools
import math

import held_out_split
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import optimize, special

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_25

HELD_OUT_25 = ["poincare-tree-embedding", "force-field-clusters", "ica-unmixing"]


def test_the_held_out_25_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_25, HELD_OUT_25, "held-out-24", 41, help_text)


def _tree():
    """A full tree of branching 4 and depth 4 by levels: each node's depth and its descendants, by walking down the
    children ``4 k + 1``, ..., ``4 k + 4``."""
    depth = [0]
    for level in range(1, 5):
        depth += [level] * 4**level
    below: dict[int, set[int]] = {}
    for node in reversed(range(len(depth))):
        children = [c for c in range(4 * node + 1, 4 * node + 5) if c < len(depth)]
        below[node] = set(children).union(*(below[c] for c in children))
    return np.array(depth), below


def _hops(u, v, ancestors, depth):
    common = max(depth[a] for a in (ancestors[u] | {u}) & (ancestors[v] | {v}))
    return depth[u] + depth[v] - 2 * common


def test_poincare_tree_embedding_holds_the_data_its_docstring_states():
    task = tasks.poincare_tree_embedding()
    data = {name: np.asarray(value) for name, value in task.data.items()}
    depth, below = _tree()
    assert len(depth) == 341
    ancestors = {node: {a for a in below if node in below[a]} for node in below}
    # The pairs by hand: each node with each of its ancestors, nearer ones first (a larger number); shuffled by numpy
    # seed 0, then 10 unrelated nodes a pair, drawn without replacement; the first 252 for validation.
    pairs = np.array(sorted(((n, a) for n in below for a in ancestors[n]), key=lambda p: (p[0], -p[1])))
    assert len(pairs) == 1252
    rng = np.random.default_rng(0)
    pairs = pairs[rng.permutation(1252)]
    candidates = []
    for node, ancestor in pairs:
        unrelated = np.array([k for k in range(341) if k != node and k not in ancestors[node] | below[node]])
        candidates.append([ancestor, *rng.choice(unrelated, 10, replace=False)])
    candidates = np.array(candidates)
    np.testing.assert_array_equal(np.concatenate([data["x_val"], data["x_train"]]), pairs[:, 0])
    np.testing.assert_array_equal(np.concatenate([data["y_val"], data["y_train"]]), candidates)
    assert data["x_val"].shape == (252,) and data["y_train"].shape == (1000, 11)
    # The references on the validation pairs: equal scores, and the tree's hop distance at its best scale (fitted
    # on the training pairs).
    rows = zip(pairs[:, 0], candidates, strict=True)
    hops = np.array([[_hops(u, v, ancestors, depth) for v in row] for u, row in rows])

    def cross_entropy(scale, rows):
        return np.mean(special.logsumexp(-scale * hops[rows], 1) + scale * hops[rows, 0])

    fit = optimize.minimize_scalar(lambda c: cross_entropy(c, slice(252, None)), bounds=(0, 20), method="bounded")
    assert fit.x == pytest.approx(2.05, abs=5e-3)
    assert cross_entropy(fit.x, slice(None, 252)) == pytest.approx(0.276, abs=5e-4)
    assert np.log(11) == pytest.approx(2.398, abs=5e-4)
    # The model by hand: a point tanh(r) v / |v| of tangent length r = min(5 |v|, 10), the disk's distance from its
    # formula, scored -distance among the 11 candidates (two vectors past the cap).
    params = rng.normal(size=[341, 2]) / 4
    params[:2] *= 20
    radius = np.minimum(5 * np.linalg.norm(params, axis=1), 10)
    points = np.tanh(radius)[:, None] * params / np.linalg.norm(params, axis=1, keepdims=True)
    anchors = np.r_[0, 1, pairs[:14, 0]]
    rows = np.r_[candidates[:2] * 0 + np.arange(2, 13), candidates[:14]]
    logits = np.zeros(rows.shape)
    for i, j in np.ndindex(rows.shape):
        x, y = points[anchors[i]], points[rows[i, j]]
        gap = (1 - np.tanh(radius[anchors[i]]) ** 2) * (1 - np.tanh(radius[rows[i, j]]) ** 2)
        logits[i, j] = -np.arccosh(1 + 2 * np.sum((x - y) ** 2) / gap)
    by_hand = np.mean(special.logsumexp(logits, 1) - logits[:, 0])
    batch = (jnp.asarray(anchors, jnp.int32), jnp.asarray(rows, jnp.int32))
    assert float(jax.jit(task.loss)(jnp.asarray(params, jnp.float32), batch)) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _cluster_energy(points):
    """One cluster's energy, pair by pair: Morse (1 - exp(-1.5 (r - 1)))^2 - 1, less 0.5 sqrt(rho_i) an atom,
    rho_i the sum of exp(-2 (r_ij - 1)) over the others."""
    energy, rho = 0.0, np.zeros(len(points))
    for i, j in itertools.combinations(range(len(points)), 2):
        r = math.dist(points[i], points[j])
        energy += (1 - math.exp(-1.5 * (r - 1))) ** 2 - 1
        rho[[i, j]] += math.exp(-2 * (r - 1))
    return energy - 0.5 * np.sqrt(rho).sum()


def _minus_gradient(energy, points, step=1e-5):
    """Minus the gradient of ``energy`` at ``points [atoms, 2]`` by central differences."""
    forces = np.zeros_like(points)
    for i, k in np.ndindex(points.shape):
        up, down = points.copy(), points.copy()
        up[i, k] += step
        down[i, k] -= step
        forces[i, k] = -(energy(up) - energy(down)) / (2 * step)
    return forces


def _behler_parrinello(params, points):
    """The network's energy of one cluster, atom by atom: 12 Gaussians of the distances to the others, through the
    MLP (tanh), summed."""
    total = 0.0
    for i in range(len(points)):
        r = np.array([math.dist(points[i], points[j]) for j in range(len(points)) if j != i])
        h = np.exp(-((r[:, None] - np.linspace(0.6, 3.6, 12)) ** 2) / (2 * 0.3**2)).sum(0)
        for layer in params[:-1]:
            h = np.tanh(h @ layer["w"] + layer["b"])
        total += (h @ params[-1]["w"] + params[-1]["b"])[0]
    return total


def test_force_field_clusters_holds_the_data_its_docstring_states():
    task = tasks.force_field_clusters()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (2000, 6, 2) and data["y_val"].shape == (500, 6, 3)
    # The data by hand: each atom uniform in [0, 2.5]^2, redrawn until 0.8 from those before it; the energy less its
    # training mean, the same in the first column of each atom's row, and the forces, by central differences.
    rng = np.random.default_rng(0)
    clusters = []
    for _ in range(2500):
        cluster: list[np.ndarray] = []
        while len(cluster) < 6:
            point = rng.uniform(0, 2.5, 2)
            if all(math.dist(point, other) >= 0.8 for other in cluster):
                cluster.append(point)
        clusters.append(cluster)
    positions = np.array(clusters)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), positions, atol=1e-6)
    distances = [math.dist(c[i], c[j]) for c in positions for i, j in itertools.combinations(range(6), 2)]
    assert 0.8 <= min(distances) < 0.801 and max(distances) == pytest.approx(3.35, abs=5e-3)
    energy = np.array([_cluster_energy(c) for c in positions])
    energy -= energy[500:].mean()
    assert energy[500:].std() == pytest.approx(1.22, abs=5e-3)
    targets = np.concatenate([data["y_val"], data["y_train"]])
    np.testing.assert_allclose(targets[..., 0], np.repeat(energy[:, None], 6, 1), atol=1e-5)
    for n in range(0, 2500, 125):
        np.testing.assert_allclose(targets[n, :, 1:], _minus_gradient(_cluster_energy, positions[n]), atol=1e-5)
    # The references on the validation clusters: zero energy and forces, and the best pair potential on the model's
    # 12 Gaussians, least squares on the training clusters weighted as the loss weighs them.
    y_val = targets[:500]
    assert np.mean(y_val[:, 0, 0] ** 2) / 36 + np.mean(y_val[..., 1:] ** 2) == pytest.approx(3.01, abs=5e-3)
    centres = np.linspace(0.6, 3.6, 12)

    def pair_rows(points):
        """The energy's and the forces' rows of the pair potential's 12 coefficients and a constant."""
        energy_row, force_rows = np.zeros(13), np.zeros([6, 2, 13])
        energy_row[12] = 1
        for i, j in itertools.combinations(range(6), 2):
            r = math.dist(points[i], points[j])
            bumps = np.exp(-((r - centres) ** 2) / (2 * 0.3**2))
            energy_row[:12] += bumps
            slope = -bumps * (r - centres) / 0.3**2
            force_rows[i, :, :12] -= np.outer((points[i] - points[j]) / r, slope)
            force_rows[j, :, :12] += np.outer((points[i] - points[j]) / r, slope)
        return np.r_[energy_row[None] / 6, force_rows.reshape(12, 13) / np.sqrt(12)]

    design = np.array([pair_rows(c) for c in positions])
    values = np.concatenate([targets[:, :1, 0] / 6, targets[..., 1:].reshape(2500, 12) / np.sqrt(12)], 1)
    weights = np.linalg.lstsq(design[500:].reshape(-1, 13), values[500:].reshape(-1), rcond=None)[0]
    assert np.mean((design[:500] @ weights - values[:500]) ** 2) * 13 == pytest.approx(0.0037, abs=5e-5)
    # The model by hand on 8 clusters: its energy atom by atom, its forces by central differences.
    params = [
        {"w": rng.normal(size=[a, b]) / np.sqrt(a), "b": rng.normal(size=b) / 4}
        for a, b in [(12, 32), (32, 32), (32, 1)]
    ]
    energies = np.array([_behler_parrinello(params, c) for c in positions[:8]])
    forces = np.array([_minus_gradient(lambda p: _behler_parrinello(params, p), c) for c in positions[:8]])
    by_hand = np.mean((energies - y_val[:8, 0, 0]) ** 2) / 36 + np.mean((forces - y_val[:8, :, 1:]) ** 2)
    batch = (jnp.asarray(positions[:8], jnp.float32), jnp.asarray(y_val[:8], jnp.float32))
    assert float(jax.jit(task.loss)(jax.tree.map(np.float32, params), batch)) == pytest.approx(by_hand, rel=1e-3)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _ica_nll(w, x):
    """Nats a mixture: -log |det W| plus, for each source of x W^T, log(pi cosh(s))."""
    return -np.log(abs(np.linalg.det(w))) + np.mean(np.sum(np.log(np.pi * np.cosh(x @ w.T)), 1))


def test_ica_unmixing_holds_the_data_its_docstring_states():
    task = tasks.ica_unmixing()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 8) and data["x_val"].shape == (1000, 8)
    # The data by hand: U and V the Q of QR of Gaussian matrices, s log-spaced from 10^-0.5 to 10^0.5, the sources
    # Laplace of variance 1 (scale 1 / sqrt 2), each mixture U diag(s) V^T times the sources; the first 1,000 for
    # validation.
    rng = np.random.default_rng(0)
    u = np.linalg.qr(rng.normal(size=[8, 8]))[0]
    v = np.linalg.qr(rng.normal(size=[8, 8]))[0]
    mixing = u @ np.diag(10 ** np.linspace(-0.5, 0.5, 8)) @ v.T
    sources = rng.laplace(0, 2**-0.5, [5000, 8])
    assert sources.var() == pytest.approx(1, abs=0.03)
    x = np.einsum("ij,nj->ni", mixing, sources)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), x, atol=1e-5)
    x_val, x_train = x[:1000], x[1000:]
    np.testing.assert_allclose([x_train.var(0).min(), x_train.var(0).max()], [0.46, 5.2], atol=5e-3)
    # The references on the validation mixtures: the identity, the training mixtures' whitening, a Gaussian fitted to
    # them, the true unmixing, and the true unmixing at its best scale (fitted on the training mixtures).
    assert _ica_nll(np.eye(8), x_val) == pytest.approx(14.74, abs=5e-3)
    covariance = np.cov(x_train.T, bias=True)
    values, vectors = np.linalg.eigh(covariance)
    assert _ica_nll(vectors @ np.diag(values**-0.5) @ vectors.T, x_val) == pytest.approx(12.04, abs=5e-3)
    centred = x_val - x_train.mean(0)
    gaussian = np.linalg.slogdet(2 * np.pi * covariance)[1] / 2
    gaussian += np.mean(np.sum(centred @ np.linalg.inv(covariance) * centred, 1)) / 2
    assert gaussian == pytest.approx(11.39, abs=5e-3)
    unmixing = np.linalg.inv(mixing)
    assert _ica_nll(unmixing, x_val) == pytest.approx(11.87, abs=5e-3)
    fit = optimize.minimize_scalar(lambda a: _ica_nll(a * unmixing, x_train), bounds=(0.1, 10), method="bounded")
    assert fit.x == pytest.approx(1.65, abs=5e-3)
    assert _ica_nll(fit.x * unmixing, x_val) == pytest.approx(10.860, abs=5e-4)
    # The model by hand: any unmixing matrix, on 16 mixtures.
    w = rng.normal(size=[8, 8]) / 2
    batch = (jnp.asarray(x_val[:16], jnp.float32), jnp.zeros(16))
    by_hand = _ica_nll(w, x_val[:16])
    assert float(jax.jit(task.loss)(jnp.asarray(w, jnp.float32), batch)) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


@pytest.mark.parametrize("name", HELD_OUT_25)
def test_held_out_25_tasks_train(name):
    held_out_split.check_trains(name)


def test_held_out_25_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-25", HELD_OUT_25)
