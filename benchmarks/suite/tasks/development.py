"""The *development* tasks: the ones selectors are designed and tuned on (``--split development``, the default)."""

import math
from collections.abc import Callable
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _classification, _cross_entropy, _dense, _dense_init
from optswitch import demo

#: Where the Shakespeare text is in a checkout: ``../shared/data/`` next to the repository.
DEFAULT_TEXT = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "tinyshakespeare.txt"


def _conv1d_stride2(x, w):
    """A 1-D convolution with stride 2 and "SAME" padding, ``x [B, L, C_in]``, ``w [K, C_in, C_out]``.

    Written as strided slices and one matmul, because XLA:CPU runs ``conv_general_dilated`` slowly at these sizes:
    a train step of ``mnist1d-cnn`` took 15 ms with it and 1.2 ms with this (jax 0.12, 2 CPU cores).
    """
    kernel, length = w.shape[0], x.shape[1]
    out = -(-length // 2)
    pad = max((out - 1) * 2 + kernel - length, 0)
    x = jnp.pad(x, [(0, 0), (pad // 2, pad - pad // 2), (0, 0)])
    patches = jnp.concatenate([x[:, k : k + 2 * out - 1 : 2] for k in range(kernel)], axis=-1)
    return patches @ w.reshape(-1, w.shape[-1])


def digits_mlp(*, quick: bool = False) -> Task:
    """scikit-learn's 8x8 digits (1,797 images): an MLP 64-128-128-10 (ReLU), batch 64.

    A fixed split, the same for every seed: 1,197 training images and 600 for validation. The problem of
    ``python -m optswitch.demo``, whose data, model and loop this task shares (:mod:`optswitch.demo`).
    """
    (x_train, y_train), (x_val, y_val) = demo.split_digits(600)

    return _classification(
        "digits-mlp",
        x_train,
        y_train,
        x_val,
        y_val,
        demo.init_mlp,
        demo.mlp,
        batch=64,
        budget=300 if quick else 1500,
        eval_every=25,
        description="sklearn digits 8x8, 1197 train / 600 val; MLP 64-128-128-10 ReLU; batch 64",
    )


def mnist1d_cnn(*, quick: bool = False) -> Task:
    """MNIST-1D (Greydanus 2020), 4,000 training and 1,000 validation sequences of length 40: a 1-D CNN.

    Three convolutions (32 channels, kernel 5, stride 2, ReLU) and a linear layer, batch 100; the dataset's
    paper reports about 94% test accuracy for a CNN of this kind.
    """
    from mnist1d.data import get_dataset_args, make_dataset

    dataset = make_dataset(get_dataset_args())
    channels, kernel = [1, 32, 32, 32], 5
    length = dataset["x"].shape[1]
    for _ in channels[1:]:
        length = math.ceil(length / 2)

    def init(key):
        keys = jax.random.split(key, len(channels))
        convs = [
            {
                "w": jax.nn.initializers.he_normal()(k, (kernel, c_in, c_out)),
                "b": jnp.zeros([c_out]),
            }
            for k, c_in, c_out in zip(keys[:-1], channels[:-1], channels[1:], strict=True)
        ]
        return {"convs": convs, "out": _dense_init(keys[-1], length * channels[-1], 10)}

    def apply(params, x):
        x = x[..., None]
        for conv in params["convs"]:
            x = jax.nn.relu(_conv1d_stride2(x, conv["w"]) + conv["b"])
        return _dense(params["out"], x.reshape(x.shape[0], -1))

    return _classification(
        "mnist1d-cnn",
        dataset["x"],
        dataset["y"],
        dataset["x_test"],
        dataset["y_test"],
        init,
        apply,
        batch=100,
        budget=400 if quick else 4000,
        eval_every=50,
        description="MNIST-1D, 4000 train / 1000 val; CNN 3x conv(32, k5, s2) + linear; batch 100",
    )


def shakespeare_char(*, quick: bool = False, text: str | Path | None = None) -> Task:
    """A character-level transformer on Tiny Shakespeare; the metric is the validation loss in nats/char.

    The first 90% of the text trains, the last 10% validates (as nanoGPT splits it). The model: 2 pre-LayerNorm
    blocks, width 64, 4 heads, context 64, learned positions; batch 32 windows. Validation: the mean
    next-character cross entropy over 128 fixed windows of the validation text (8,192 characters).

    Args:
        quick: a shorter run.
        text: path of the text; default ``../shared/data/tinyshakespeare.txt`` next to the checkout.

    Raises:
        FileNotFoundError: when the text is not there, naming the option that gives another path.
    """
    path = Path(text) if text is not None else DEFAULT_TEXT
    if not path.is_file():
        raise FileNotFoundError(
            f"shakespeare-char: no text at {path}. Pass the path of tinyshakespeare.txt with --text PATH "
            f"(it is public domain: the 1,115,394-byte file of Karpathy's char-rnn), or leave this task out with "
            f"--tasks."
        )
    raw = path.read_bytes()
    vocab = np.unique(np.frombuffer(raw, np.uint8))
    tokens = np.searchsorted(vocab, np.frombuffer(raw, np.uint8)).astype(np.int32)
    split = int(0.9 * len(tokens))
    context, width, heads, depth, batch, val_windows = 64, 64, 4, 2, 16, 128
    val = tokens[split:]
    starts = np.linspace(0, len(val) - context - 1, val_windows).astype(np.int64)
    data = {
        "train": jnp.asarray(tokens[:split]),
        "val": jnp.asarray(np.stack([val[s : s + context + 1] for s in starts])),
    }
    num_tokens = len(vocab)

    def init(key):
        keys = iter(jax.random.split(key, 3 + 4 * depth))
        normal = lambda shape: 0.02 * jax.random.normal(next(keys), shape)
        norm = lambda: {"scale": jnp.ones([width]), "bias": jnp.zeros([width])}
        blocks = [
            {
                "norm1": norm(),
                "qkv": _dense_init(next(keys), width, 3 * width),
                "proj": _dense_init(next(keys), width, width),
                "norm2": norm(),
                "up": _dense_init(next(keys), width, 4 * width),
                "down": _dense_init(next(keys), 4 * width, width),
            }
            for _ in range(depth)
        ]
        return {
            "embed": normal([num_tokens, width]),
            "position": normal([context, width]),
            "blocks": blocks,
            "norm": norm(),
            "head": _dense_init(next(keys), width, num_tokens),
        }

    def layer_norm(p, x):
        mean = jnp.mean(x, -1, keepdims=True)
        var = jnp.var(x, -1, keepdims=True)
        return (x - mean) * jax.lax.rsqrt(var + 1e-5) * p["scale"] + p["bias"]

    causal = jnp.tril(jnp.ones([context, context], bool))

    def apply(params, x):
        length = x.shape[-1]
        h = params["embed"][x] + params["position"][:length]
        for block in params["blocks"]:
            q, k, v = jnp.split(_dense(block["qkv"], layer_norm(block["norm1"], h)), 3, axis=-1)
            split_heads = lambda t: t.reshape(*t.shape[:-1], heads, width // heads)
            scores = jnp.einsum("bqhd,bkhd->bhqk", split_heads(q), split_heads(k)) / math.sqrt(width // heads)
            scores = jnp.where(causal[:length, :length], scores, -jnp.inf)
            mixed = jnp.einsum("bhqk,bkhd->bqhd", jax.nn.softmax(scores, -1), split_heads(v))
            h = h + _dense(block["proj"], mixed.reshape(h.shape))
            h = h + _dense(block["down"], jax.nn.gelu(_dense(block["up"], layer_norm(block["norm2"], h))))
        return _dense(params["head"], layer_norm(params["norm"], h))

    def sample(data, key):
        starts = jax.random.randint(key, [batch], 0, data["train"].shape[0] - context - 1)
        return jax.vmap(lambda s: jax.lax.dynamic_slice(data["train"], [s], [context + 1]))(starts)

    def loss(params, windows):
        return _cross_entropy(apply(params, windows[:, :-1]), windows[:, 1:])

    def evaluate(params, data):
        return loss(params, data["val"])

    def sample_validation(data, key):
        return data["val"][jax.random.randint(key, [batch], 0, data["val"].shape[0])]

    return Task(
        "shakespeare-char",
        data,
        init,
        sample,
        loss,
        evaluate,
        "val loss (nats/char)",
        False,
        budget=200 if quick else 2000,
        eval_every=50,
        description=(
            f"Tiny Shakespeare, 90/10 split; transformer {depth} blocks, width {width}, {heads} heads, "
            f"context {context}; batch {batch}"
        ),
        sample_validation=sample_validation,
    )


def noisy_quadratic(*, quick: bool = False) -> Task:
    """An ill-conditioned quadratic with gradient noise: the noisy quadratic model (Zhang et al. 2019).

    The loss is ``0.5 * sum(h * w**2)`` over 1,000 coordinates whose curvatures ``h`` span four orders of
    magnitude (condition number 1e4), starting from ``w ~ N(0, 0.3**2)``. Each training batch draws noise
    ``xi ~ N(0, I)`` and the training loss adds ``sum(0.03 * sqrt(h) * xi * w)``, so the gradient is
    ``h * w + 0.03 * sqrt(h) * xi``: minibatch noise with covariance proportional to the curvature, as in a real
    network. The validation metric is the noise-free loss (the expected loss over batches).

    With these constants the candidates trade places: SGD with momentum is fastest early (it clears the
    high-curvature coordinates in tens of steps), the adaptive methods later (they move the low-curvature ones
    that SGD barely touches), and SGD's noise floor is the highest.
    """
    dim, scale, noise = 1000, 0.3, 0.03
    data = {"curvature": jnp.logspace(0.0, -4.0, dim)}

    def init(key):
        return {"w": scale * jax.random.normal(key, [dim])}

    def sample(data, key):
        return data["curvature"], jax.random.normal(key, [dim])

    def loss(params, batch):
        curvature, xi = batch
        w = params["w"]
        return 0.5 * jnp.sum(curvature * w**2) + noise * jnp.sum(jnp.sqrt(curvature) * xi * w)

    def evaluate(params, data):
        return 0.5 * jnp.sum(data["curvature"] * params["w"] ** 2)

    return Task(
        "noisy-quadratic",
        data,
        init,
        sample,
        loss,
        evaluate,
        "val loss (noise-free)",
        False,
        budget=300 if quick else 2000,
        eval_every=25,
        description=f"0.5 sum h w^2, {dim} coordinates, h in [1e-4, 1], gradient noise {noise} sqrt(h) N(0, 1)",
    )


#: The split of this module's tasks, as :data:`benchmarks.suite.tasks.SPLITS` names it.
SPLIT = "development"

#: This split's task builders by name, in the order of the tables.
TASKS: dict[str, Callable[..., Task]] = {
    "digits-mlp": digits_mlp,
    "mnist1d-cnn": mnist1d_cnn,
    "shakespeare-char": shakespeare_char,
    "noisy-quadratic": noisy_quadratic,
}
