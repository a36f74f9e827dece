"""optswitch.metrics: a flat dict of scalars, the same inside jit as outside, with each built-in selector's key
numbers; written by a real writer (tensorboardX) and read back from its event file."""

import math
import struct
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optswitch
from optswitch import selectors

PARAMS = {"w": jnp.ones(3)}
ROOT = Path(__file__).resolve().parents[1]


def two(selector):
    sgd = optax.inject_hyperparams(optax.sgd)(learning_rate=0.0, momentum=0.9)
    return optswitch.switch({"adam": optax.adam(1e-2), "sgd": sgd}, selector)


def test_counts_and_plateau_best_inside_and_outside_jit():
    tx = two(selectors.plateau(patience=2))
    losses = [3.0, 2.0, 2.5, 2.5, 2.5, 1.0]  # adam: 3 and 2, then two evaluations without improvement: sgd

    @jax.jit
    def step(state, loss):
        _, state = tx.update(PARAMS, state, PARAMS, value=loss)
        return state, optswitch.metrics(state, names=tx.names)

    state = tx.init(PARAMS)
    for loss in losses:
        state, inside = step(state, jnp.float32(loss))
    outside = optswitch.metrics(state)
    assert {key: float(value) for key, value in inside.items()} == {key: float(value) for key, value in outside.items()}
    assert all(jnp.shape(value) == () for value in outside.values())
    assert {key: float(value) for key, value in outside.items()} == {
        "optswitch/active": 1.0,
        "optswitch/step": 6.0,
        "optswitch/switches": 1.0,
        "optswitch/updates/adam": 4.0,
        "optswitch/updates/sgd": 2.0,
        "optswitch/skipped": 0.0,
        "optswitch/invalid": 0.0,
        "optswitch/plateau/best": 1.0,
        "optswitch/plateau/evaluations_without_improvement": 0.0,
    }


def test_swats_lambda_race_rates_and_noise_scale_rho():
    params = {"w": jnp.linspace(-1.0, 1.0, 5)}
    tx = two(selectors.swats("adam", "sgd", rtol=1e-2))
    state, update = tx.init(params), jax.jit(tx.update)
    for _ in range(3):
        _, state = update(params, state, params)
    assert float(optswitch.metrics(state, prefix="")["swats/Lambda"]) == pytest.approx(4 / 3 * 1e-2, rel=1e-3)

    tx = two(selectors.race(window=3))
    state, loss, update = tx.init(PARAMS), 1.0, jax.jit(tx.update)
    for _ in range(12):  # legs adam sgd sgd adam; sgd's updates remove 20% of the loss, adam's 10%
        name = optswitch.active(state)
        _, state = update(PARAMS, state, PARAMS, value=jnp.float32(loss))
        loss *= 0.8 if name == "sgd" else 0.9
    numbers = optswitch.metrics(state, prefix="")
    assert float(numbers["race/rate/adam"]) == pytest.approx(-math.log(0.9), rel=1e-4)
    assert float(numbers["race/rate/sgd"]) == pytest.approx(-math.log(0.8), rel=1e-4)
    assert float(numbers["race/standing/adam"]) == pytest.approx(math.log(0.9) / math.log(0.8), rel=1e-4)

    tx = two(selectors.noise_scale("adam", "sgd", warmup=1000))
    state, update = tx.init(PARAMS), jax.jit(tx.update)
    noise = 2.0 * jax.random.normal(jax.random.key(0), [60, 3])
    for t in range(60):  # a gradient of 1 per coordinate under noise of std 2
        _, state = update({"w": 1.0 + noise[t]}, state, PARAMS)
    assert float(optswitch.metrics(state, prefix="")["noise_scale/rho"]) == pytest.approx(
        float(state.selector_state.noise / state.selector_state.signal)
    )


def test_inside_jit_the_names_must_be_given():
    tx = two(selectors.schedule({0: 0}))
    with pytest.raises(
        ValueError, match=r"metrics: inside jit .*pass them: optswitch.metrics\(state, names=tx.names\)"
    ):
        jax.jit(optswitch.metrics)(tx.init(PARAMS))
    with pytest.raises(ValueError, match=r"metrics: names=\['a'\] but the switch has 2 candidates"):
        optswitch.metrics(tx.init(PARAMS), names=["a"])


def read_scalars(path: Path) -> dict[str, list[tuple[int, float]]]:
    """The scalars of one TensorBoard event file: TFRecords (length, crc, Event proto, crc)."""
    from tensorboardX.proto import event_pb2

    scalars, data = {}, path.read_bytes()
    position = 0
    while position < len(data):
        (length,) = struct.unpack("<Q", data[position : position + 8])
        event = event_pb2.Event.FromString(data[position + 12 : position + 12 + length])
        position += 12 + length + 4
        for value in event.summary.value:
            scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    return scalars


def test_the_example_writes_them_with_tensorboardx_and_they_read_back(tmp_path, monkeypatch):
    pytest.importorskip("tensorboardX")
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    sys.modules.pop("tensorboard_metrics", None)
    import tensorboard_metrics

    written = tensorboard_metrics.train(str(tmp_path), steps=300, every=10)
    (event_file,) = tmp_path.glob("events.out.tfevents.*")
    scalars = read_scalars(event_file)
    assert [step for step, _ in scalars["optswitch/active"]] == list(range(0, 300, 10))
    for step, numbers in written:
        for key, value in numbers.items():
            if math.isfinite(value):
                assert (step, np.float32(value)) in scalars[key]
    active = [value for _, value in scalars["optswitch/active"]]
    assert active[0] == 0.0 and active[-1] == 1.0  # the example's plateau moves from adam to sgd
    assert scalars["optswitch/updates/adam"][-1][1] + scalars["optswitch/updates/sgd"][-1][1] == 291


def test_a_wrapper_s_numbers_and_those_of_the_selector_it_wraps():
    # undo_if_worse(step_down(race)): the guard's undos, and the race's rates, read through step_down's state.
    copies = optswitch.learning_rate_multiples({"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)})
    inner = selectors.step_down(selectors.race(window=3), at=100)
    tx = optswitch.switch(copies, selectors.undo_if_worse(inner, 3))
    state, loss, update = tx.init(PARAMS), 1.0, jax.jit(tx.update)
    for _ in range(12):  # legs of 3: adam-x3's loss falls; sgd-x3's, adam's and sgd's double, each undone at its end
        name = optswitch.active(state)
        _, state = update(PARAMS, state, PARAMS, value=jnp.float32(loss))
        loss *= 0.9 if name == "adam-x3" else 2.0
    numbers = optswitch.metrics(state, prefix="")
    assert int(numbers["undo_if_worse/undone"]) == 3
    assert int(numbers["undo_if_worse/last_undone"]) == 12
    race_state = state.selector_state.inner.inner
    assert [float(numbers[f"race/rate/{name}"]) for name in tx.names] == [float(r / 2) for r in race_state.race_rates]
    assert float(numbers["race/rate/adam-x3"]) > 0 > float(numbers["race/rate/sgd-x3"])
