"""The *held-out-20* tasks, added in round 36 for a later round, are kept aside from every design, the held-out-19
tasks' included, and run once (``--split held-out-20``) with the defaults frozen.
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _conv2d_same, _dense_init, _fitted, _mlp, _mlp_init, _rows


def _rectangle_images(count: int, side: int, noise: float, rng: np.random.Generator):
    """The images of :func:`pixelcnn_rectangles`: each ``side`` x ``side``, one or two filled rectangles (one with
    probability 1/2), each of a height and a width uniform in 2 to ``side // 2 + 1`` at a corner uniform where it
    fits, then each pixel flipped with probability ``noise``. Returns binary images [count, side, side] as float."""
    images = np.zeros([count, side, side])
    sizes = rng.integers(2, side // 2 + 2, [count, 2, 2])
    corners = rng.uniform(size=[count, 2, 2])
    second = rng.uniform(size=count) < 0.5
    for index in range(count):
        for which in range(1 + second[index]):
            height, width = sizes[index, which]
            top = int(corners[index, which, 0] * (side - height + 1))
            left = int(corners[index, which, 1] * (side - width + 1))
            images[index, top : top + height, left : left + width] = 1
    return np.abs(images - (rng.uniform(size=images.shape) < noise))


def _causal_masks(kernel: int, channels_in: int, channels_out: int):
    """PixelCNN's masks of a ``kernel`` x ``kernel`` convolution: type A (the first layer) sees only the pixels above
    and to the left of the centre, type B (later layers) the centre too, so that each output depends only on the
    pixels before it in raster order."""
    before = np.zeros([kernel, kernel])
    before[: kernel // 2] = 1
    before[kernel // 2, : kernel // 2] = 1
    centre = before.copy()
    centre[kernel // 2, kernel // 2] = 1
    first = np.broadcast_to(before[..., None, None], [kernel, kernel, channels_in, channels_out])
    later = np.broadcast_to(centre[..., None, None], [kernel, kernel, channels_out, channels_out])
    return jnp.asarray(first, jnp.float32), jnp.asarray(later, jnp.float32)


def pixelcnn_rectangles(*, quick: bool = False) -> Task:
    """Model the density of small binary images pixel by pixel: a PixelCNN (masked 3x3 convolutions, each pixel's
    Bernoulli logit from the pixels before it), the negative log-likelihood an image, batch 64 images.

    A held-out-20 task, an autoregressive density model of images (van den Oord et al. 2016; the likelihood exact,
    the chain rule over the pixels in raster order, unlike the latent-variable bars-vae and the energy-based
    rbm-exact-likelihood): 8x8 binary images of one filled rectangle or, with probability 1/2, two (their union),
    each of a height and a width uniform in 2 to 5 at a corner uniform where it fits, then each pixel flipped with
    probability 0.02 (numpy seed 0). 4,000 training and 1,000 validation images (the same for every run seed). The
    network: a masked 3x3 convolution of type A from 1 to 16 channels (ReLU), four of type B 16 to 16 (ReLU, each with
    a residual connection), a 1x1 convolution to one logit a pixel; LeCun-normal on the unmasked fan-in, biases zero.
    The loss and the metric are the negative log-likelihood in nats an image: 44.36 for uniform predictions, 34.78
    for each pixel's own frequency over the training images, 17.42 for a table of a pixel's frequency by its four
    causal neighbours (above-left, above, above-right and left, 0 outside the image; counts plus 1 over counts plus
    2). Budget 2,000 updates, evaluated every 50. On the calibration seeds RMSProp at 1e-3 gets below 15.807 on every
    seed, within 1,350 to 1,950 updates (median 1,650; best 15.72 to 15.79, at 1,900 to 2,000); Adam at 1e-3 on 4 of
    5, within 1,150 to 1,950 (median 1,650; best 15.74 to 15.84, its median best 15.77 against RMSProp's 15.75), and
    SGD with momentum at 1e-2 on 1 of 5, at 1,850 (best 15.78 to 16.12). The runs start at 45.7 to 57.7 and come
    within 1.3 nats of their best in 200 updates (Adam at 16.54 to 16.73, RMSProp at 16.77 to 17.01, SGD at 16.44 to
    16.97; after 1,000 at 15.85 to 16.05, 15.88 to 16.00 and 16.06 to 16.33): the target asks for the last tenth of a
    nat.
    """
    side, noise, channels, layers, train, held_out, batch = 8, 0.02, 16, 4, 4000, 1000, 64
    images = _rectangle_images(train + held_out, side, noise, np.random.default_rng(0))[..., None]
    data = _rows(images[held_out:], images[held_out:], images[:held_out], images[:held_out])
    first_mask, later_mask = _causal_masks(3, 1, channels)

    def init(key):
        keys = jax.random.split(key, layers + 2)
        # The masks leave 4 of 9 taps in the first layer and 5 of 9 later: LeCun-normal over those alone.
        params = {"first": jax.random.normal(keys[0], [3, 3, 1, channels]) / 2.0, "first_b": jnp.zeros([channels])}
        params["later"] = [
            {"w": jax.random.normal(k, [3, 3, channels, channels]) / np.sqrt(5 * channels), "b": jnp.zeros([channels])}
            for k in keys[1 : layers + 1]
        ]
        params["out"] = _dense_init(keys[-1], channels, 1)
        return params

    def logits(params, images):
        h = jax.nn.relu(_conv2d_same(images, params["first"] * first_mask) + params["first_b"])
        for layer in params["later"]:
            h = h + jax.nn.relu(_conv2d_same(h, layer["w"] * later_mask) + layer["b"])
        return (h @ params["out"]["w"] + params["out"]["b"])[..., 0]

    def loss(params, images, targets):
        scores = logits(params, images)
        return jnp.mean(jnp.sum(jnp.logaddexp(0.0, scores) - targets[..., 0] * scores, (1, 2)))

    return _fitted(
        "pixelcnn-rectangles",
        data,
        init,
        loss,
        "val NLL (nats an image)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"{side}x{side} binary images of one or two filled rectangles, flips {noise:g}, {train} train / "
        f"{held_out} val; a PixelCNN (a masked 3x3 convolution of type A, {layers} of type B, {channels} channels, "
        f"residual); batch {batch}",
    )


def _curve_family(contexts, x):
    """The curves of :func:`hypernetwork_curves`: ``a sin(b x + c) + d x`` for each context ``(a, b, c, d)``, at
    ``x``. Returns [len(contexts), len(x)]."""
    a, b, c, d = (contexts[:, k, None] for k in range(4))
    return a * np.sin(b * x + c) + d * x


def hypernetwork_curves(*, quick: bool = False) -> Task:
    """Fit a family of curves by a network whose weights another network writes: a hypernetwork (an MLP 4-64-64-49)
    maps a curve's four constants to the 49 weights of an MLP 1-16-1 (tanh) of ``x``, the squared error, batch 64
    curves.

    A held-out-20 task, a hypernetwork (Ha et al. 2016: the trained parameters are only the hypernetwork's, and the
    target network's weights are its output, so that the gradient reaches them through a product of the two): curves
    ``a sin(b x + c) + d x`` with ``a`` uniform in [0.5, 2], ``b`` in [1, 4], ``c`` in [0, 2 pi), ``d`` in [-1, 1],
    each seen at 32 points evenly spaced over [-2, 2] plus N(0, 0.05^2) a point (numpy seed 0); 4,000 training and
    1,000 validation curves (the same for every run seed). The hypernetwork reads ``(a, b, c / pi - 1, d)``, an MLP
    4-64-64-49 (ReLU; LeCun-normal, biases zero) whose output, times 0.5 and plus a fixed random start (numpy seed 1:
    the 16 first-layer weights N(0, 1), the second layer's N(0, 1/16), biases 0), is the target network's 16 weights,
    16 biases, 16 weights and bias. The loss is the squared error a point; the metric the same on the validation
    curves: 1.372 for 0, 1.373 for the training curves' mean, 0.0448 for the mean of the 5 training curves nearest in
    the hypernetwork's inputs (1 nearest 0.091, 20 nearest 0.062), 0.0025 for the noise alone. Budget 2,000 updates,
    evaluated every 50. On the calibration seeds SGD with momentum at 1e-2 gets below 0.023380 on every seed, within
    1,550 to 1,950 updates (median 1,600; best 0.0177 to 0.0219, at 1,900 to 2,000, still falling); Adam at 1e-3 on 3
    of 5, within 1,600 to 1,800 (median 1,750; best 0.0163 to 0.0305, its median best 0.0228 against SGD's 0.0199),
    and RMSProp at 1e-3 on none (best 0.046 to 0.074). The runs start at 1.93 to 4.74; after 200 updates Adam is at
    0.26 to 0.50, SGD at 0.31 to 0.76 and RMSProp at 0.43 to 0.55; after 1,000 at 0.049 to 0.073, 0.035 to 0.063 and
    0.129 to 0.175.
    """
    points, width, hidden, noise, train, held_out, batch = 32, 64, 16, 0.05, 4000, 1000, 64
    rng = np.random.default_rng(0)
    ranges = ((0.5, 2), (1, 4), (0, 2 * np.pi), (-1, 1))
    contexts = np.stack([rng.uniform(low, high, train + held_out) for low, high in ranges], 1)
    x = np.linspace(-2, 2, points)
    curves = _curve_family(contexts, x) + noise * rng.normal(size=[train + held_out, points])
    inputs = contexts / np.array([1, 1, np.pi, 1]) - np.array([0, 0, 1, 0])
    data = _rows(inputs[held_out:], curves[held_out:], inputs[:held_out], curves[:held_out])
    data["x"] = jnp.asarray(x, jnp.float32)
    start_rng = np.random.default_rng(1)
    start = np.concatenate(
        [start_rng.normal(size=hidden), np.zeros(hidden), start_rng.normal(size=hidden) / np.sqrt(hidden), [0.0]]
    )
    start = jnp.asarray(start, jnp.float32)
    size = 3 * hidden + 1
    init = _mlp_init([4, width, width, size])

    def predict(params, inputs, x):
        weights = start + 0.5 * _mlp(params, inputs)  # [curves, 49]
        first, bias, second = weights[:, :hidden], weights[:, hidden : 2 * hidden], weights[:, 2 * hidden : -1]
        h = jnp.tanh(x[None, :, None] * first[:, None] + bias[:, None])  # [curves, points, hidden]
        return jnp.einsum("cph,ch->cp", h, second) + weights[:, -1:]

    def loss(params, inputs, curves):
        return jnp.mean((predict(params, inputs, data["x"]) - curves) ** 2)

    return _fitted(
        "hypernetwork-curves",
        data,
        init,
        loss,
        "val squared error",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"curves a sin(b x + c) + d x at {points} points, noise {noise:g}, {train} train / {held_out} "
        f"val; a hypernetwork MLP 4-{width}-{width}-{size} writing an MLP 1-{hidden}-1 (tanh); batch {batch}",
    )


def _two_task_rows(count: int, features: int, rng: np.random.Generator):
    """The rows of :func:`two_head_multitask`: ``features`` N(0, 1) inputs; the class the quadrant of two fixed
    random projections ``u``, ``v`` (4 classes by the signs of ``x u`` and ``x v``); the target ``sin(2 x u) + (x
    w)^2 / 2 + N(0, 0.1^2)`` with a third projection ``w``. The projections are unit vectors drawn first."""
    u, v, w = (direction / np.linalg.norm(direction) for direction in rng.normal(size=[3, features]))
    inputs = rng.normal(size=[count, features])
    classes = 2 * (inputs @ u > 0) + (inputs @ v > 0)
    targets = np.sin(2 * inputs @ u) + 0.5 * (inputs @ w) ** 2 + 0.1 * rng.normal(size=count)
    return inputs, classes, targets


def two_head_multitask(*, quick: bool = False) -> Task:
    """Learn two tasks at once with one shared trunk: an MLP 12-64-64 with a classification head (4 classes) and a
    regression head, the cross entropy plus the squared error, batch 64.

    A held-out-20 task, multi-task learning (one trunk, two heads, one weighted loss, so that the two gradients share
    the trunk's step): 12 N(0, 1) features; three fixed unit directions ``u``, ``v``, ``w`` (drawn first); the class
    the quadrant of ``(x u, x v)``, by their signs; the target ``sin(2 x u) + (x w)^2 / 2`` plus N(0, 0.1^2) (numpy
    seed 0), 3,000 training and 1,000 validation rows (the same for every run seed). The network: a trunk 12-64-64
    (ReLU), a head 64-4 for the class and a head 64-1 for the target; LeCun-normal, biases zero. The loss and the
    metric are the cross entropy plus the squared error, weighted 1 and 0.5: 1.935 for uniform predictions and the
    training targets' mean, 0.632 for logistic regression (C = 1; its cross entropy 0.109, 0.979 right) and linear
    regression (its squared error 1.045) on the features, 0.005 for the noise alone. Budget 2,000 updates, evaluated
    every 50. On the calibration seeds SGD with momentum at 1e-2 gets below 0.14109 on 4 of 5 seeds, within 1,250 to
    1,750 updates (median 1,325; best 0.120 to 0.142, at 1,700 to 2,000); Adam at 1e-3 on 4 of 5, within 1,650 to
    1,800 (median 1,725; best 0.132 to 0.144), and RMSProp at 1e-3 on 3 of 5, within 1,650 to 1,850 (median 1,850;
    best 0.138 to 0.154). The runs start at 2.00 to 2.36; after 200 updates Adam is at 0.47 to 0.56, SGD at 0.32 to
    0.40 and RMSProp at 0.48 to 0.56; after 1,000 at 0.167 to 0.175, 0.146 to 0.170 and 0.168 to 0.194.
    """
    features, width, train, held_out, batch, weight = 12, 64, 3000, 1000, 64, 0.5
    inputs, classes, targets = _two_task_rows(train + held_out, features, np.random.default_rng(0))
    labels = np.stack([classes, targets], 1)
    data = _rows(inputs[held_out:], labels[held_out:], inputs[:held_out], labels[:held_out])

    def init(key):
        trunk, head_key = jax.random.split(key)
        return {
            "trunk": _mlp_init([features, width, width])(trunk),
            "heads": _dense_init(head_key, width, 5),
        }

    def loss(params, inputs, labels):
        h = jax.nn.relu(_mlp(params["trunk"], inputs))
        out = h @ params["heads"]["w"] + params["heads"]["b"]
        logits, predicted = out[:, :4], out[:, 4]
        classes = labels[:, 0].astype(jnp.int32)
        cross_entropy = jnp.mean(jax.nn.logsumexp(logits, -1) - jnp.take_along_axis(logits, classes[:, None], 1)[:, 0])
        return cross_entropy + weight * jnp.mean((predicted - labels[:, 1]) ** 2)

    return _fitted(
        "two-head-multitask",
        data,
        init,
        loss,
        "val cross entropy + 0.5 squared error",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"{features} Gaussian features, a quadrant of two projections and a smooth target of them, "
        f"{train} train / {held_out} val; an MLP trunk {features}-{width}-{width} with two heads; batch {batch}",
    )


SPLIT = "held-out-20"
TASKS: dict[str, Callable[..., Task]] = {
    "pixelcnn-rectangles": pixelcnn_rectangles,
    "hypernetwork-curves": hypernetwork_curves,
    "two-head-multitask": two_head_multitask,
}
