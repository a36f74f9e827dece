"""The held-out-19 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy); they train; and
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind."""

import math

import held_out_split
import jax
import numpy as np
import pytest
import scipy.sparse
from sklearn.linear_model import LogisticRegression

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_19

HELD_OUT_19 = ["ray-tomography-field", "pendulum-control-bptt", "pointnet-polygons"]


def test_the_held_out_19_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_19, HELD_OUT_19, "held-out-18", 32, help_text)


def _bumps_by_hand(rng):
    """:func:`held_out_19.ray_tomography_field`'s phantom, drawn as its docstring states: 6 bumps centred uniformly
    in the disk of radius 0.5, deviations uniform in [0.08, 0.2] along axes turned uniformly, heights in [0.5, 1.5]."""
    distance, angle = 0.5 * np.sqrt(rng.uniform(size=6)), rng.uniform(0, 2 * np.pi, 6)
    centres = np.stack([distance * np.cos(angle), distance * np.sin(angle)], 1)
    deviations, turn = rng.uniform(0.08, 0.2, [6, 2]), rng.uniform(0, np.pi, 6)
    covariances = []
    for (first, second), a in zip(deviations, turn, strict=True):
        rotation = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        covariances.append(rotation @ np.diag([first**2, second**2]) @ rotation.T)
    return centres, np.linalg.inv(covariances), rng.uniform(0.5, 1.5, 6)


def _density_by_hand(points, centres, precisions, heights):
    total = np.zeros(points.shape[:-1])
    for centre, precision, height in zip(centres, precisions, heights, strict=True):
        offset = points - centre
        total += height * np.exp(-0.5 * np.sum((offset @ precision) * offset, -1))
    return total


def _along_rays(angles, offsets, t):
    """The points ``s n + t d`` of each ray (an angle and an offset), ``d = (cos a, sin a)``, ``n = (-sin a, cos a)``:
    [rays, len(t), 2]."""
    a, s = angles[:, None], offsets[:, None]
    return np.stack([-s * np.sin(a) + t * np.cos(a), s * np.cos(a) + t * np.sin(a)], -1)


def test_ray_tomography_field_holds_the_data_its_docstring_states():
    task = tasks.ray_tomography_field()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 2) and data["x_val"].shape == (1000, 2) and data["y_val"].shape == (1000,)
    # The data by hand: the phantom; 5,000 rays, angles uniform in [0, pi) and offsets in [-1, 1], the first 1,000
    # validating; each ray's integral over t in [-1, 1] (a fine midpoint rule here, not the error functions) plus
    # N(0, 0.01^2).
    rng = np.random.default_rng(0)
    centres, precisions, heights = _bumps_by_hand(rng)
    angles, offsets, noise = rng.uniform(0, np.pi, 5000), rng.uniform(-1, 1, 5000), rng.normal(size=5000)
    fine = (np.arange(400) + 0.5) / 400 * 2 - 1
    exact = _density_by_hand(_along_rays(angles, offsets, fine), centres, precisions, heights).sum(1) * 2 / 400
    np.testing.assert_allclose(
        np.concatenate([data["x_val"], data["x_train"]]), np.stack([angles, offsets], 1), atol=1e-6
    )
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), exact + 0.01 * noise, atol=1e-5)
    # The field's grid: the centres of a 32x32 grid of pixels over [-1, 1]^2 within the unit disk (812 of them).
    axis = (np.arange(32) + 0.5) / 16 - 1
    pixels = np.stack(np.meshgrid(axis, axis, indexing="ij"), -1).reshape(-1, 2)
    inside = np.sum(pixels**2, 1) <= 1
    field = _density_by_hand(pixels[inside], centres, precisions, heights)
    np.testing.assert_allclose(data["grid"], pixels[inside], atol=1e-7)
    np.testing.assert_allclose(data["field"], field, rtol=1e-5, atol=1e-6)
    assert inside.sum() == 812 and field.max() == pytest.approx(2.02, abs=0.005)
    # The references: 0, the field's mean, and ridge least squares of the 32x32 pixels' values (each ray's row the
    # length of it in each pixel, by 400 points along it) on the training rays, penalty 1e-2.
    assert np.mean(field**2) == pytest.approx(0.167, abs=5e-4) and np.var(field) == pytest.approx(0.130, abs=5e-4)
    points = _along_rays(data["x_train"][:, 0], data["x_train"][:, 1], fine)
    cells = np.clip(np.floor((points + 1) * 16), 0, 31).astype(int)
    rows = np.repeat(np.arange(4000), 400)
    system = scipy.sparse.coo_matrix(
        (np.full(rows.size, 2 / 400), (rows, (cells[..., 0] * 32 + cells[..., 1]).ravel()))
    )
    system = system.tocsr()
    normal = (system.T @ system).toarray() + 1e-2 * np.eye(1024)
    values = np.linalg.solve(normal, system.T @ data["y_train"])
    assert np.mean((values[inside] - field) ** 2) == pytest.approx(0.00062, abs=5e-5)
    # The network by hand: Fourier features (x, y, sin(pi 2^k x), k = 0..3, the same of y, then the cosines), an MLP
    # 18-64-64-1 (ReLU); a ray's projection the mean of 40 midpoints over [-1, 1], times 2.
    shapes = [(18, 64), (64, 64), (64, 1)]
    params = [{"w": rng.normal(size=shape) / math.sqrt(shape[0]), "b": rng.normal(size=shape[1])} for shape in shapes]

    def network(points):
        frequencies = math.pi * 2.0 ** np.arange(4)
        x, y = points[..., :1] * frequencies, points[..., 1:] * frequencies
        h = np.concatenate([points, np.sin(x), np.sin(y), np.cos(x), np.cos(y)], -1)
        h = np.maximum(h @ params[0]["w"] + params[0]["b"], 0)
        h = np.maximum(h @ params[1]["w"] + params[1]["b"], 0)
        return (h @ params[2]["w"] + params[2]["b"])[..., 0]

    rays, measured = data["x_val"][:16], data["y_val"][:16]
    midpoints = (np.arange(40) + 0.5) / 20 - 1
    projection = network(_along_rays(rays[:, 0], rays[:, 1], midpoints)).sum(1) * 2 / 40
    f32 = jax.tree.map(np.float32, params)
    assert float(jax.jit(task.loss)(f32, (rays, measured))) == pytest.approx(
        np.mean((projection - measured) ** 2), rel=1e-4
    )
    assert float(jax.jit(task.evaluate)(f32, task.data)) == pytest.approx(
        np.mean((network(pixels[inside]) - field) ** 2), rel=1e-4
    )
    rays, _ = tasks.validation_sampler(task)(task.data, jax.random.key(0))
    assert np.isin(np.asarray(rays[:, 1]), np.asarray(task.data["x_val"][:, 1])).all()  # validation rays
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _pendulum_by_hand(controller, states):
    """The mean cost a step of ``controller(angle, velocity) -> torque`` from each of ``states``, as
    :func:`held_out_19.pendulum_control_bptt`'s docstring states: 80 steps of 0.05 of semi-implicit Euler, gravity 10,
    damping 0.1, each step's cost ``1 + cos a + 0.01 w^2`` after it."""
    angle, velocity = states[:, 0].astype(np.float64), states[:, 1].astype(np.float64)
    total = np.zeros(len(states))
    for _ in range(80):
        velocity = velocity + 0.05 * (-10 * np.sin(angle) - 0.1 * velocity + controller(angle, velocity))
        angle = angle + 0.05 * velocity
        total += 1 + np.cos(angle) + 0.01 * velocity**2
    return total / 80


def _energy_pumping(angle, velocity):
    """The docstring's hand-made controller: within about 25 degrees of upright (``cos a < -0.9``) a PD hold, ``-(60 e
    + 12 w)`` with ``e`` the angle from upright; elsewhere it pumps the energy ``w^2 / 2 - 10 cos a`` towards the
    upright's 10, ``25 (10 - E) w``; clipped to the torque's limit, 5."""
    energy = velocity**2 / 2 - 10 * np.cos(angle)
    error = np.angle(np.exp(1j * (angle - np.pi)))
    hold, pump = -(60 * error + 12 * velocity), 25 * (10 - energy) * velocity
    return np.clip(np.where(np.cos(angle) < -0.9, hold, pump), -5, 5)


def test_pendulum_control_bptt_holds_the_data_its_docstring_states():
    task = tasks.pendulum_control_bptt()
    train, val = np.asarray(task.data["train"]), np.asarray(task.data["val"])
    assert train.shape == (4000, 2) and val.shape == (500, 2)
    # The starting states by hand: angles uniform in [-pi, pi), velocities in [-2, 2], the first 500 validating.
    rng = np.random.default_rng(0)
    states = np.stack([rng.uniform(-np.pi, np.pi, 4500), rng.uniform(-2, 2, 4500)], 1)
    np.testing.assert_allclose(np.concatenate([val, train]), states, atol=1e-6)
    # The references: no torque (the start, for every run seed: the last layer is zero) and the hand-made controller.
    evaluate = jax.jit(task.evaluate)
    no_torque = _pendulum_by_hand(lambda angle, velocity: 0 * angle, val).mean()
    assert no_torque == pytest.approx(1.537, abs=5e-4)
    for key in (0, 7):
        assert float(evaluate(task.init(jax.random.key(key)), task.data)) == pytest.approx(no_torque, rel=1e-5)
    assert _pendulum_by_hand(_energy_pumping, val).mean() == pytest.approx(0.426, abs=5e-4)
    # The controller by hand: an MLP 3-32-32-1 (tanh) of (cos a, sin a, w / 4), its output through 5 tanh. On 8
    # states and 80 steps float32 and float64 part little: the loss is checked to 1e-3.
    shapes = [(3, 32), (32, 32), (32, 1)]
    params = [{"w": rng.normal(size=shape) / math.sqrt(shape[0]), "b": rng.normal(size=shape[1])} for shape in shapes]

    def controller(angle, velocity):
        h = np.stack([np.cos(angle), np.sin(angle), velocity / 4], -1)
        h = np.tanh(np.tanh(h @ params[0]["w"] + params[0]["b"]) @ params[1]["w"] + params[1]["b"])
        return 5 * np.tanh(h @ params[2]["w"] + params[2]["b"])[:, 0]

    f32 = jax.tree.map(np.float32, params)
    batch = task.sample(task.data, jax.random.key(1))
    assert batch.shape == (64, 2) and np.isin(np.asarray(batch[:, 0]), train[:, 0]).all()
    by_hand = _pendulum_by_hand(controller, np.asarray(batch[:8], np.float64)).mean()
    assert float(jax.jit(task.loss)(f32, batch[:8])) == pytest.approx(by_hand, rel=1e-3)
    held_out = tasks.validation_sampler(task)(task.data, jax.random.key(0))
    assert np.isin(np.asarray(held_out[:, 0]), val[:, 0]).all()
    # The simulation's gradient reaches every layer of the controller.
    gradient = jax.grad(task.loss)(f32, batch[:8])
    assert all(float(np.abs(layer["w"]).max()) > 0 for layer in gradient)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _clouds_by_hand(rng, count=5000):
    """:func:`held_out_19.pointnet_polygons`'s clouds, drawn as its docstring states, cloud by cloud."""
    sides = np.array([0, 3, 4, 5, 6])
    labels, places = rng.integers(0, 5, count), rng.uniform(size=[count, 32])
    turns, scales, shifts = rng.uniform(0, 2 * np.pi, count), rng.uniform(0.7, 1.3, count), rng.normal(size=[count, 2])
    jitter = rng.normal(size=[count, 32, 2])
    clouds = np.zeros([count, 32, 2])
    for c in range(count):
        n = sides[labels[c]]
        if n == 0:
            outline = np.stack([np.cos(2 * np.pi * places[c]), np.sin(2 * np.pi * places[c])], 1)
        else:
            corners = np.stack([np.cos(2 * np.pi * np.arange(n + 1) / n), np.sin(2 * np.pi * np.arange(n + 1) / n)], 1)
            side, along = np.divmod(places[c] * n, 1)
            side = side.astype(int)
            outline = (1 - along[:, None]) * corners[side] + along[:, None] * corners[side + 1]
        cos, sin = math.cos(turns[c]), math.sin(turns[c])
        clouds[c] = scales[c] * outline @ np.array([[cos, sin], [-sin, cos]]) + 0.2 * shifts[c] + 0.05 * jitter[c]
    return clouds, labels


def test_pointnet_polygons_holds_the_data_its_docstring_states():
    task = tasks.pointnet_polygons()
    clouds, labels = np.asarray(task.data["x_val"], np.float64), np.asarray(task.data["y_val"])
    train_clouds, train_labels = np.asarray(task.data["x_train"], np.float64), np.asarray(task.data["y_train"])
    assert train_clouds.shape == (4000, 32, 2) and clouds.shape == (1000, 32, 2) and labels.shape == (1000,)
    rng = np.random.default_rng(0)
    drawn, drawn_labels = _clouds_by_hand(rng)
    np.testing.assert_allclose(np.concatenate([clouds, train_clouds]), drawn, atol=1e-5)
    np.testing.assert_array_equal(np.concatenate([labels, train_labels]), drawn_labels)
    assert np.bincount(train_labels).tolist() == [829, 792, 800, 742, 837]
    # The references: uniform predictions, and logistic regression (C = 10) on each cloud's distances from its
    # centroid over their mean, sorted: a description the turn, the scale and the shift leave alone.
    assert math.log(5) == pytest.approx(1.609, abs=5e-4)

    def radii(rows):
        distance = np.linalg.norm(rows - rows.mean(1, keepdims=True), axis=-1)
        return np.sort(distance / distance.mean(1, keepdims=True), 1)

    model = LogisticRegression(C=10.0, max_iter=5000).fit(radii(train_clouds), train_labels)
    probabilities = model.predict_proba(radii(clouds))
    cross_entropy = -np.mean(np.log(probabilities[np.arange(1000), labels]))
    assert cross_entropy == pytest.approx(1.186, abs=5e-3)
    assert np.mean(probabilities.argmax(1) == labels) == pytest.approx(0.476, abs=0.01)
    # The network by hand: a shared MLP 2-64-128 (ReLU after both layers) over the points, the maximum over them, an
    # MLP 128-64-5; the cross entropy on 8 clouds, and the network the same for the points in any order.
    params = {
        "point": [
            {"w": rng.normal(size=[2, 64]), "b": rng.normal(size=64)},
            {"w": rng.normal(size=[64, 128]) / 8, "b": rng.normal(size=128)},
        ],
        "head": [
            {"w": rng.normal(size=[128, 64]) / 11, "b": rng.normal(size=64)},
            {"w": rng.normal(size=[64, 5]) / 8, "b": rng.normal(size=5)},
        ],
    }
    relu = lambda x: np.maximum(x, 0)
    first, second = params["point"]
    pooled = relu(relu(clouds[:8] @ first["w"] + first["b"]) @ second["w"] + second["b"]).max(1)
    logits = relu(pooled @ params["head"][0]["w"] + params["head"][0]["b"]) @ params["head"][1]["w"]
    logits += params["head"][1]["b"]
    by_hand = np.mean(np.log(np.exp(logits).sum(1)) - logits[np.arange(8), labels[:8]])
    f32 = jax.tree.map(np.float32, params)
    loss = jax.jit(task.loss)
    assert float(loss(f32, (clouds[:8], labels[:8]))) == pytest.approx(by_hand, rel=1e-4)
    shuffled = clouds[:8, np.random.default_rng(1).permutation(32)]
    assert float(loss(f32, (shuffled, labels[:8]))) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.metric == "val loss (cross entropy)" and task.budget == 2000


@pytest.mark.parametrize("name", HELD_OUT_19)
def test_held_out_19_tasks_train(name):
    held_out_split.check_trains(name)


def test_held_out_19_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-19", HELD_OUT_19)
