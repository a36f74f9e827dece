"""The held-out-20 split: it runs only when asked, apart from every other split; its tasks hold the data their
docstrings state (each drawn again here by hand, its references and its model computed in numpy); they train; and
their targets and the baseline's rates were set from fixed optimizers only, so that the split stays blind."""

import math

import held_out_split
import jax
import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsRegressor

from benchmarks.suite import cli, tasks
from benchmarks.suite.tasks import held_out_20

HELD_OUT_20 = ["pixelcnn-rectangles", "hypernetwork-curves", "two-head-multitask"]


def test_the_held_out_20_split_runs_only_when_asked_and_is_disjoint_from_every_other(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    held_out_split.check_runs_only_when_asked(held_out_20, HELD_OUT_20, "held-out-19", 36, help_text)


def _rectangles_by_hand(rng, count=5000):
    """:func:`held_out_20.pixelcnn_rectangles`'s images, drawn as its docstring states: one filled rectangle or, with
    probability 1/2, two, each 2 to 5 high and wide at a corner uniform where it fits, then each pixel flipped with
    probability 0.02."""
    sizes, corners, second = rng.integers(2, 6, [count, 2, 2]), rng.uniform(size=[count, 2, 2]), rng.uniform(size=count)
    rows, columns = np.meshgrid(np.arange(8), np.arange(8), indexing="ij")
    images = np.zeros([count, 8, 8], bool)
    for index in range(count):
        for which in range(2 if second[index] < 0.5 else 1):
            (height, width), (down, across) = sizes[index, which], corners[index, which]
            top, left = math.floor(down * (9 - height)), math.floor(across * (9 - width))
            images[index] |= (rows >= top) & (rows < top + height) & (columns >= left) & (columns < left + width)
    return (images ^ (rng.uniform(size=[count, 8, 8]) < 0.02)).astype(float)


def _causal_neighbours(images):
    """Each pixel's context for the reference: its neighbours above, to the left, above-left and above-right (0
    outside the image), as a number 0 to 15."""
    padded = np.pad(images, [(0, 0), (1, 0), (1, 1)])
    above, left = padded[:, :-1, 1:-1], padded[:, 1:, :-2]
    return (8 * above + 4 * left + 2 * padded[:, :-1, :-2] + padded[:, :-1, 2:]).astype(int)


def test_pixelcnn_rectangles_holds_the_data_its_docstring_states():
    task = tasks.pixelcnn_rectangles()
    train, val = np.asarray(task.data["x_train"], np.float64)[..., 0], np.asarray(task.data["x_val"])[..., 0]
    assert train.shape == (4000, 8, 8) and val.shape == (1000, 8, 8)
    np.testing.assert_array_equal(task.data["x_train"], task.data["y_train"])
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(np.concatenate([val, train]), _rectangles_by_hand(rng))
    # The references: uniform (64 ln 2), each pixel's own frequency over the training images, and a table of each
    # pixel's frequency by its four causal neighbours (counts plus 1 over counts plus 2).
    assert 64 * math.log(2) == pytest.approx(44.36, abs=5e-3)
    frequency = train.mean(0)
    marginal = -np.mean(np.sum(val * np.log(frequency) + (1 - val) * np.log(1 - frequency), (1, 2)))
    assert marginal == pytest.approx(34.78, abs=5e-3)
    on = np.bincount(_causal_neighbours(train).ravel(), train.ravel(), 16)
    table = (on + 1) / (np.bincount(_causal_neighbours(train).ravel(), None, 16) + 2)
    chance = table[_causal_neighbours(val)]
    assert -np.mean(np.sum(val * np.log(chance) + (1 - val) * np.log(1 - chance), (1, 2))) == pytest.approx(
        17.42, abs=5e-3
    )
    # The network by hand: masked 3x3 convolutions, pixel by pixel (type A: the pixels above, and to the left on the
    # same row; type B: the centre too), ReLU and residual; a logit a pixel; the Bernoulli NLL summed over an image.
    images = val[:4]
    params = {
        "first": rng.normal(size=[3, 3, 1, 16]),
        "first_b": rng.normal(size=16),
        "later": [{"w": rng.normal(size=[3, 3, 16, 16]) / 6, "b": rng.normal(size=16)} for _ in range(4)],
        "out": {"w": rng.normal(size=[16, 1]) / 4, "b": rng.normal(size=1)},
    }

    def masked_convolution(h, w, b, centre):
        padded, out = np.pad(h, [(0, 0), (1, 1), (1, 1), (0, 0)]), np.zeros([*h.shape[:3], w.shape[-1]])
        for i in range(8):
            for j in range(8):
                for di in range(3):
                    for dj in range(3):
                        if di == 0 or (di == 1 and (dj == 0 or (centre and dj == 1))):
                            out[:, i, j] += padded[:, i + di, j + dj] @ w[di, dj]
        return out + b

    h = np.maximum(masked_convolution(images[..., None], params["first"], params["first_b"], False), 0)
    for layer in params["later"]:
        h = h + np.maximum(masked_convolution(h, layer["w"], layer["b"], True), 0)
    logits = (h @ params["out"]["w"] + params["out"]["b"])[..., 0]
    by_hand = np.mean(np.sum(np.log1p(np.exp(logits)) - images * logits, (1, 2)))
    f32 = jax.tree.map(np.float32, params)
    batch = (images[..., None].astype(np.float32),) * 2
    assert float(jax.jit(task.loss)(f32, batch)) == pytest.approx(by_hand, rel=1e-4)
    # A pixel's logit does not move with the pixels at or after it.
    later = images.copy()
    later[:, 4, 3:], later[:, 5:] = 1 - later[:, 4, 3:], 1 - later[:, 5:]
    h = np.maximum(masked_convolution(later[..., None], params["first"], params["first_b"], False), 0)
    for layer in params["later"]:
        h = h + np.maximum(masked_convolution(h, layer["w"], layer["b"], True), 0)
    np.testing.assert_allclose((h @ params["out"]["w"])[:, :4, :, 0], logits[:, :4] - params["out"]["b"], atol=1e-9)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def _curves_by_hand(rng, count=5000):
    """:func:`held_out_20.hypernetwork_curves`'s curves, as its docstring states: ``a sin(b x + c) + d x`` at 32
    points evenly spaced over [-2, 2] plus N(0, 0.05^2)."""
    a, b = rng.uniform(0.5, 2, count), rng.uniform(1, 4, count)
    c, d = rng.uniform(0, 2 * np.pi, count), rng.uniform(-1, 1, count)
    x = -2 + 4 * np.arange(32) / 31
    curves = np.array([a[k] * np.sin(b[k] * x + c[k]) + d[k] * x for k in range(count)])
    return np.stack([a, b, c / np.pi - 1, d], 1), curves + 0.05 * rng.normal(size=[count, 32]), x


def test_hypernetwork_curves_holds_the_data_its_docstring_states():
    task = tasks.hypernetwork_curves()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (4000, 4) and data["y_train"].shape == (4000, 32) and data["y_val"].shape[0] == 1000
    inputs, curves, x = _curves_by_hand(np.random.default_rng(0))
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), inputs, atol=1e-6)
    np.testing.assert_allclose(np.concatenate([data["y_val"], data["y_train"]]), curves, atol=1e-5)
    np.testing.assert_allclose(data["x"], x, atol=1e-6)
    # The references: 0, the training curves' mean, and the mean of the 5 training curves nearest in the inputs.
    assert np.mean(data["y_val"] ** 2) == pytest.approx(1.372, abs=5e-4)
    assert np.mean((data["y_val"] - data["y_train"].mean(0)) ** 2) == pytest.approx(1.373, abs=5e-4)
    nearest = KNeighborsRegressor(5).fit(data["x_train"], data["y_train"]).predict(data["x_val"])
    assert np.mean((nearest - data["y_val"]) ** 2) == pytest.approx(0.0448, abs=5e-4)
    # The networks by hand: the hypernetwork an MLP 4-64-64-49 (ReLU); the target network's weights the fixed start
    # (numpy seed 1: 16 first-layer weights N(0, 1), 16 biases 0, 16 second-layer weights N(0, 1/16), a bias 0) plus
    # half the output; the target network tanh(x w1 + b1) w2 + b2.
    start_rng = np.random.default_rng(1)
    start = np.concatenate([start_rng.normal(size=16), np.zeros(16), start_rng.normal(size=16) / 4, [0]])
    rng = np.random.default_rng(2)
    shapes = [(4, 64), (64, 64), (64, 49)]
    params = [{"w": rng.normal(size=shape) / math.sqrt(shape[0]), "b": rng.normal(size=shape[1])} for shape in shapes]
    rows, targets = data["x_val"][:8], data["y_val"][:8]
    h = np.maximum(np.maximum(rows @ params[0]["w"] + params[0]["b"], 0) @ params[1]["w"] + params[1]["b"], 0)
    weights = start + 0.5 * (h @ params[2]["w"] + params[2]["b"])
    predicted = np.array(
        [np.tanh(np.outer(x, w[:16]) + w[16:32]) @ w[32:48] + w[48] for w in weights]  # one target network a curve
    )
    f32 = jax.tree.map(np.float32, params)
    by_hand = np.mean((predicted - targets) ** 2)
    assert float(jax.jit(task.loss)(f32, (rows, targets))) == pytest.approx(by_hand, rel=1e-4)
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


def test_two_head_multitask_holds_the_data_its_docstring_states():
    task = tasks.two_head_multitask()
    data = {name: np.asarray(value, np.float64) for name, value in task.data.items()}
    assert data["x_train"].shape == (3000, 12) and data["x_val"].shape == (1000, 12)
    # The rows by hand: three unit directions drawn first, then the features, the class the quadrant of (x u, x v)
    # (2 for x u > 0, plus 1 for x v > 0), the target sin(2 x u) + (x w)^2 / 2 + N(0, 0.1^2).
    rng = np.random.default_rng(0)
    directions = rng.normal(size=[3, 12])
    u, v, w = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    features = rng.normal(size=[4000, 12])
    classes = np.where(features @ u > 0, 2, 0) + np.where(features @ v > 0, 1, 0)
    targets = np.sin(2 * features @ u) + (features @ w) ** 2 / 2 + 0.1 * rng.normal(size=4000)
    np.testing.assert_allclose(np.concatenate([data["x_val"], data["x_train"]]), features, atol=1e-6)
    labels = np.concatenate([data["y_val"], data["y_train"]])
    np.testing.assert_array_equal(labels[:, 0], classes)
    np.testing.assert_allclose(labels[:, 1], targets, atol=1e-5)
    # The references: uniform and the mean; logistic regression (C = 1) and linear regression; the noise's floor.
    y_train, y_val = data["y_train"], data["y_val"]
    assert math.log(4) + 0.5 * np.mean((y_val[:, 1] - y_train[:, 1].mean()) ** 2) == pytest.approx(1.935, abs=5e-4)
    logistic = LogisticRegression(C=1.0, max_iter=5000).fit(data["x_train"], y_train[:, 0].astype(int))
    chances = logistic.predict_proba(data["x_val"])[np.arange(1000), y_val[:, 0].astype(int)]
    linear = LinearRegression().fit(data["x_train"], y_train[:, 1]).predict(data["x_val"])
    assert -np.mean(np.log(chances)) == pytest.approx(0.109, abs=5e-4)
    assert np.mean((linear - y_val[:, 1]) ** 2) == pytest.approx(1.045, abs=5e-4)
    # The network by hand: a trunk 12-64-64 (ReLU after both layers), a linear layer to 4 logits and a prediction.
    shapes = [(12, 64), (64, 64), (64, 5)]
    weights = [{"w": rng.normal(size=shape) / math.sqrt(shape[0]), "b": rng.normal(size=shape[1])} for shape in shapes]
    rows, row_labels = data["x_val"][:16], y_val[:16]
    h = np.maximum(np.maximum(rows @ weights[0]["w"] + weights[0]["b"], 0) @ weights[1]["w"] + weights[1]["b"], 0)
    out = h @ weights[2]["w"] + weights[2]["b"]
    logits, predicted, row_classes = out[:, :4], out[:, 4], row_labels[:, 0].astype(int)
    cross_entropy = np.mean(np.log(np.exp(logits).sum(1)) - logits[np.arange(16), row_classes])
    params = jax.tree.map(np.float32, {"trunk": weights[:2], "heads": weights[2]})
    assert float(jax.jit(task.loss)(params, (rows, row_labels))) == pytest.approx(
        cross_entropy + 0.5 * np.mean((predicted - row_labels[:, 1]) ** 2), rel=1e-4
    )
    assert not task.higher_is_better and task.budget == 2000 and task.eval_every == 50


@pytest.mark.parametrize("name", HELD_OUT_20)
def test_held_out_20_tasks_train(name):
    held_out_split.check_trains(name)


def test_held_out_20_targets_and_baseline_rates_come_from_fixed_optimizers_only():
    held_out_split.check_targets_and_baseline_rates_come_from_fixed_optimizers_only("held-out-20", HELD_OUT_20)
