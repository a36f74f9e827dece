"""The *held-out-15* tasks, added in round 25 for a later round, are kept aside from every design, the held-out-14
tasks' included, and run once (``--split held-out-15``) with the defaults frozen.
"""

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import (
    Task,
    _classification,
    _conv2d_same,
    _dense,
    _dense_init,
    _rows,
    _uniform_rows,
)


def _square_images(count: int, side: int, sizes, noise: float, rng: np.random.Generator):
    """``count`` images for :func:`square_segmentation_fcn`: each holds one filled square of brightness 1 on 0, its
    side drawn uniformly from ``sizes`` and its place uniformly among those inside the image, plus N(0, noise^2) on
    every pixel. Returns the images and the squares' masks, each [count, side, side]."""
    size = rng.choice(np.asarray(sizes), count)
    corner = rng.integers(0, side - size[:, None] + 1, [count, 2])  # the square's top row and left column
    pixels = np.arange(side)
    inside = (pixels >= corner[:, :, None]) & (pixels < corner[:, :, None] + size[:, None, None])  # [count, 2, side]
    masks = (inside[:, 0, :, None] & inside[:, 1, None, :]).astype(np.float64)
    return masks + noise * rng.normal(size=masks.shape), masks


def _fcn_logits(params, x):
    """The network of :func:`square_segmentation_fcn`: 3x3 convolutions ("SAME", ReLU) and a 1x1 readout, a logit a
    pixel, ``x`` [B, H, W] to [B, H, W]."""
    h = x[..., None]
    for conv in params["convs"]:
        h = jax.nn.relu(_conv2d_same(h, conv["w"]) + conv["b"])
    return _dense(params["out"], h)[..., 0]


def square_segmentation_fcn(*, quick: bool = False) -> Task:
    """Segment a noisy square from its background: a fully convolutional network gives each pixel of a 12x12 image the
    probability that it lies inside the square, the cross entropy a pixel, batch 8 images.

    A held-out-15 task, semantic segmentation (Long et al. 2015: a network of convolutions only, its output a map
    the size of its input, the loss summed over the pixels; each pixel's label depends on a neighbourhood, not on the
    pixel alone): each image holds one filled square of brightness 1 on a background of 0, its side 3, 4 or 5
    (uniformly) and its place uniform among the 100, 81 or 64 inside the image, plus N(0, 1) noise on every pixel
    (numpy seed 0); the label of a pixel is 1 inside the square. The network: three 3x3 convolutions to 8 channels
    (ReLU; He-normal, biases zero), so that each pixel sees 7x7, and a 1x1 readout to a logit (LeCun-normal, bias
    zero). 4,000 training and 1,000 validation images (the same for every run seed). The loss and the metric are the
    binary cross entropy a pixel, averaged over the pixels: 0.55 to 0.96 at the start, 0.363 on the validation
    images for the training pixels' frequency (11.5%), 0.314 for each pixel's posterior from its own value alone (at
    that frequency), and 0.0865 for the exact posterior marginals (the 245 squares' likelihoods summed), a floor in
    expectation. Budget 2,000 updates, evaluated every 50. On the calibration seeds Adam at 1e-3 gets below 0.15595 on
    every seed, within 1,550 to 1,900 updates (median 1,600; best 0.1532 to 0.1552), RMSProp at 1e-3 on 4 of 5,
    within 1,550 to 1,950 (best 0.1535 to 0.1563), and SGD with momentum at 1e-2 on 3 of 5, within 1,850 to 1,950
    (best 0.1549 to 0.1634); all three are at 0.196 to 0.233 after 200 updates and 0.160 to 0.174 after 1,000, and at
    or near their best at the end of the budget, still falling slowly.
    """
    side, sizes, noise, channels, train, held_out, batch = 12, (3, 4, 5), 1.0, (1, 8, 8, 8), 4000, 1000, 8
    x, y = _square_images(train + held_out, side, sizes, noise, np.random.default_rng(0))
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        keys = jax.random.split(key, len(channels))
        convs = [
            {
                "w": jax.nn.initializers.he_normal(in_axis=(0, 1, 2), out_axis=3)(k, (3, 3, c_in, c_out)),
                "b": jnp.zeros([c_out]),
            }
            for k, c_in, c_out in zip(keys[:-1], channels[:-1], channels[1:], strict=True)
        ]
        return {"convs": convs, "out": _dense_init(keys[-1], channels[-1], 1)}

    def cross_entropy(params, x, y):
        logits = _fcn_logits(params, x)
        return jnp.mean(jax.nn.softplus(logits) - y * logits)

    def evaluate(params, data):  # over 10 chunks of 100 images: 0.05 s an evaluation against 0.22 s at once
        x, y = (data[name].reshape(10, -1, side, side) for name in ("x_val", "y_val"))
        return jnp.mean(jax.lax.map(lambda chunk: cross_entropy(params, *chunk), (x, y)))

    return Task(
        "square-segmentation-fcn",
        data,
        init,
        _uniform_rows(batch),
        lambda params, batch: cross_entropy(params, *batch),
        evaluate,
        "val cross entropy a pixel",
        False,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"one square (side {sizes[0]}-{sizes[-1]}) in a {side}x{side} image, noise {noise:g}, its mask "
        f"the label, {train} train / {held_out} val; fully convolutional, three 3x3 convs to {channels[-1]} channels "
        f"(ReLU) and a 1x1 readout, cross entropy a pixel; batch {batch} images",
    )


def _block_graph(nodes: int, blocks: int, p_in: float, p_out: float, held_out: float, rng: np.random.Generator):
    """The graph of :func:`gae_link_prediction`: a stochastic block model of ``nodes`` nodes in ``blocks`` equal
    blocks (node ``i`` in block ``i // (nodes / blocks)``), each pair linked with probability ``p_in`` within a block
    and ``p_out`` across; a fraction ``held_out`` of the pairs, at random, kept for validation. Returns the pairs
    ``(i, j)``, ``i < j``, [P, 2] in ``np.triu_indices`` order, whether each is linked, its probability, and the
    validation pairs' indices then the training pairs'."""
    block = np.arange(nodes) // (nodes // blocks)
    pairs = np.stack(np.triu_indices(nodes, 1), -1)
    probability = np.where(block[pairs[:, 0]] == block[pairs[:, 1]], p_in, p_out)
    linked = rng.uniform(size=probability.size) < probability
    order = rng.permutation(probability.size)
    cut = round(held_out * probability.size)
    return pairs, linked, probability, order[:cut], order[cut:]


def gae_link_prediction(*, quick: bool = False) -> Task:
    """Predict the missing links of a graph: a graph autoencoder (two graph convolutions over the training links, an
    inner-product decoder) scores every pair of nodes, the binary cross entropy of the pairs, batch 256 pairs.

    A held-out-15 task, link prediction by a graph autoencoder (Kipf and Welling 2016: a graph convolutional encoder
    ``Z = A relu(A X W1) W2``, ``A`` the training graph's adjacency with self-loops, normalized ``D^-1/2 (A + I)
    D^-1/2``, and a decoder ``sigmoid(z_i . z_j + b)``; featureless, ``X = I``, so ``W1`` holds a vector per node and
    each node's code mixes its neighbours'): one graph, a stochastic block model of 96 nodes in 6 blocks of 16, each
    pair linked with probability 0.5 within a block and 0.03 across (numpy seed 0); of its 4,560 pairs a random 20%
    (912) are kept for validation, their links left out of ``A``, and the other 3,648 are the training pairs. The
    model: ``W1`` [96, 32] and ``W2`` [32, 16] LeCun-normal, ``b`` from 0. The loss and the metric are the binary
    cross entropy of a pair's link: 0.694 to 0.695 at the start (ln 2 = 0.693 for codes of 0), 0.325 on the
    validation pairs for the training pairs' frequency (10.3%, 376 links), and 0.209 for the true probabilities (0.5
    and 0.03; 0.224 in expectation), a floor the model holds: each block's nodes on one code, the 6 codes
    orthogonal, of squared norm logit(0.5) - logit(0.03) = 3.48, and ``b`` = logit(0.03) (the 32 hidden columns
    carry the positive and negative parts of ``A^-1`` times the codes). Budget 2,000 updates, evaluated every 50. On
    the calibration seeds RMSProp at 1e-3 gets below 0.27202 on every seed, within 1,850 to 2,000 updates (median
    1,900; best 0.2622 to 0.2719, at the end of the budget, still falling); Adam at 1e-3 on none (best 0.2991 to
    0.3040, at the end, still falling; both at 0.59 to 0.62 after 200 updates and 0.37 to 0.41 after 1,000); SGD with
    momentum at 1e-2 on none: it is at 0.326 after 200 updates and at 0.3245 to 0.3247, the training frequency's
    0.325, from 500 on (the codes stay near zero, where the inner product's gradient vanishes).
    """
    nodes, blocks, p_in, p_out, hidden, code, batch = 96, 6, 0.5, 0.03, 32, 16, 256
    pairs, linked, _, val, train = _block_graph(nodes, blocks, p_in, p_out, 0.2, np.random.default_rng(0))
    adjacency = np.eye(nodes)
    adjacency[tuple(pairs[train][linked[train]].T)] = 1.0
    adjacency = np.maximum(adjacency, adjacency.T)
    scale = 1 / np.sqrt(adjacency.sum(1))
    data = {
        "pairs_train": jnp.asarray(pairs[train], jnp.int32),
        "links_train": jnp.asarray(linked[train], jnp.float32),
        "pairs_val": jnp.asarray(pairs[val], jnp.int32),
        "links_val": jnp.asarray(linked[val], jnp.float32),
        "propagate": jnp.asarray(scale[:, None] * adjacency * scale, jnp.float32),
    }

    def init(key):
        first, second = jax.random.split(key)
        return {
            "w1": _dense_init(first, nodes, hidden)["w"],
            "w2": _dense_init(second, hidden, code)["w"],
            "offset": jnp.zeros([]),
        }

    def cross_entropy(params, pairs, links, propagate):
        codes = propagate @ (jax.nn.relu(propagate @ params["w1"]) @ params["w2"])
        logits = jnp.sum(codes[pairs[:, 0]] * codes[pairs[:, 1]], -1) + params["offset"]
        return jnp.mean(jax.nn.softplus(logits) - links * logits)

    def sample(data, key):
        index = jax.random.randint(key, [batch], 0, data["pairs_train"].shape[0])
        return data["pairs_train"][index], data["links_train"][index], data["propagate"]

    return Task(
        "gae-link-prediction",
        data,
        init,
        sample,
        lambda params, batch: cross_entropy(params, *batch),
        lambda params, data: cross_entropy(params, data["pairs_val"], data["links_val"], data["propagate"]),
        "val cross entropy (links)",
        False,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a stochastic block model, {nodes} nodes in {blocks} blocks, links {p_in:g} within and "
        f"{p_out:g} across, {train.size} train / {val.size} val pairs; a graph autoencoder, two graph convolutions "
        f"(featureless, {hidden} then {code}) and an inner-product decoder, cross entropy of the link; batch {batch} "
        f"pairs",
    )


def _binary_teacher(count: int, features: int, width: int, classes: int, scale: float, gain: float, rng):
    """The rows of :func:`binaryconnect_mlp`: ``x`` from N(0, I) in ``features`` columns and a label drawn from the
    softmax of a random teacher ``tanh(tanh(x B1) B2) V``, ``B1``, ``B2`` of entries ``+-scale / sqrt(fan_in)``
    (random signs), ``V`` N(0, gain^2 / width). Returns ``x``, the labels, the teacher's log-probabilities and its
    weights ``(B1, B2, V)``."""
    b1 = scale * np.sign(rng.normal(size=[features, width])) / math.sqrt(features)
    b2 = scale * np.sign(rng.normal(size=[width, width])) / math.sqrt(width)
    v = gain * rng.normal(size=[width, classes]) / math.sqrt(width)
    x = rng.normal(size=[count, features])
    logits = np.tanh(np.tanh(x @ b1) @ b2) @ v
    log_p = logits - np.logaddexp.reduce(logits, -1, keepdims=True)
    label = np.minimum((np.cumsum(np.exp(log_p), -1) < rng.uniform(size=[count, 1])).sum(-1), classes - 1)
    return x, label, log_p, (b1, b2, v)


def _binarized(w, scale: float):
    """BinaryConnect's weights: ``scale / sqrt(fan_in)`` times the sign of the real weights ``w`` [fan_in, fan_out]
    in the forward pass, the gradient passed straight through to ``w`` (the straight-through estimator)."""
    return scale / math.sqrt(w.shape[0]) * (w + jax.lax.stop_gradient(jnp.sign(w) - w))


def binaryconnect_mlp(*, quick: bool = False) -> Task:
    """Train a network of binary weights through real ones: an MLP 16-64-64-4 whose hidden layers use only the
    signs of their weights, the straight-through estimator, the cross entropy, batch 64.

    A held-out-15 task, a quantized network (Courbariaux et al. 2015, BinaryConnect; Bengio et al. 2013: the forward
    pass uses ``sign(w)``, whose gradient is zero almost everywhere, so the gradient is passed straight through to
    the real weights ``w`` as if the sign were the identity; an update moves the output only when it flips a sign):
    16 Gaussian columns, a label of 4 drawn from the softmax of a random teacher ``tanh(tanh(x B1) B2) V`` with
    ``B1``, ``B2`` of random signs times ``2 / sqrt(fan_in)`` and ``V`` N(0, 4^2 / 64) (numpy seed 0). The model: the
    teacher's shape, tanh layers 16-64-64 whose weights are ``2 / sqrt(fan_in) sign(w)``, ``w`` LeCun-normal, biases
    zero, and a real linear readout to 4 (LeCun-normal, bias zero). 4,000 training and 1,000 validation rows (the
    same for every run seed). The loss and the metric are the cross entropy: 1.47 to 1.75 at the start, ln 4 =
    1.386 for a uniform guess, 1.375 on the validation rows for the training labels' frequencies (20.9% to 28.1%),
    0.910 for a multinomial logistic regression fitted to the training rows, and 0.599 for the teacher (its entropy
    there 0.584), a floor in expectation: the model holds it (the teacher's signs as ``w``, its ``V`` as the
    readout). Budget 2,000 updates, evaluated every 50. On the calibration seeds Adam at 1e-3 gets below 0.93022 on
    every seed, within 300 to 1,950 updates (median 1,150; best 0.9084 to 0.9261), and RMSProp at 1e-3 on every seed
    too, sooner, within 200 to 1,750 (median 650; best 0.9158 to 0.9284); SGD with momentum at 1e-2 on none (best
    0.9385 to 0.9493). None gets below the logistic regression's 0.910 but Adam on one seed (0.9084); from 200 updates
    on the metric moves by 0.007 to 0.018 between evaluations (the median of each run; at most 0.036 to 0.073) as
    signs flip, within 0.908 to 1.016 (at the end of the budget 0.917 to 0.980 for Adam, 0.937 to 0.976 for RMSProp,
    0.951 to 1.012 for SGD), so each run's best comes anywhere from 200 to 2,000 updates.
    """
    features, width, classes, scale, gain, train, held_out, batch = 16, 64, 4, 2.0, 4.0, 4000, 1000, 64
    x, y, _, _ = _binary_teacher(train + held_out, features, width, classes, scale, gain, np.random.default_rng(0))

    def init(key):
        keys = jax.random.split(key, 3)
        return [
            _dense_init(k, fan_in, fan_out)
            for k, (fan_in, fan_out) in zip(keys, [(features, width), (width, width), (width, classes)], strict=True)
        ]

    def apply(params, x):
        *hidden, readout = params
        for layer in hidden:
            x = jnp.tanh(x @ _binarized(layer["w"], scale) + layer["b"])
        return _dense(readout, x)

    return _classification(
        "binaryconnect-mlp",
        x[held_out:],
        y[held_out:],
        x[:held_out],
        y[:held_out],
        init,
        apply,
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"{features} Gaussian columns, labels from a random teacher with binary hidden weights, "
        f"{train} train / {held_out} val; MLP {features}-{width}-{width}-{classes} (tanh), hidden weights "
        f"{scale:g}/sqrt(fan_in) sign(w) (BinaryConnect, straight-through), cross entropy; batch {batch}",
        val_loss=True,
    )


#: The split of this module's tasks, as :data:`benchmarks.suite.tasks.SPLITS` names it.
SPLIT = "held-out-15"

#: This split's task builders by name, in the order of the tables.
TASKS: dict[str, Callable[..., Task]] = {
    "square-segmentation-fcn": square_segmentation_fcn,
    "gae-link-prediction": gae_link_prediction,
    "binaryconnect-mlp": binaryconnect_mlp,
}
