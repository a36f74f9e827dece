"""The *held-out-51* tasks (draft)."""

from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows

#: The part as it is: the ambient temperature (C), its initial excess over it (K) and its cooling time constant (s).
_TRUE_PART = (22.0, 278.0, 600.0)

#: The nominal part (the model's start).
_NOMINAL_PART = (20.0, 250.0, 400.0)

#: The share of the part's initial excess that decays in its faster, second mode as it is, and that mode's time
#: constant (s).
_SECOND_MODE, _SECOND_TIME_CONSTANT = 0.02, 100.0


def _newton_cooling(time, part, xp=np):
    """The temperature (C) at ``time`` (s) of a part cooling by Newton's law, ``Ta + dT0 exp(-t / tau)``, ``part`` its
    ``Ta``, ``dT0`` and ``tau``."""
    ambient, excess, constant = part[0], part[1], part[2]
    return ambient + excess * xp.exp(-time / constant)


def newton_cooling_curve(*, quick: bool = False) -> Task:
    """Draft."""
    rows, held_out, batch, unit, scale = 5000, 1000, 64, 0.1, 3.0
    rng = np.random.default_rng(0)
    time = rng.uniform(0.0, 3600.0, rows)
    ambient, excess, constant = _TRUE_PART
    decay = (1 - _SECOND_MODE) * np.exp(-time / constant) + _SECOND_MODE * np.exp(-time / _SECOND_TIME_CONSTANT)
    true = ambient + excess * decay
    y = (true - _newton_cooling(time, _NOMINAL_PART)) / scale + rng.normal(0, 0.5 / scale, rows)
    data = _rows(time[held_out:, None], y[held_out:], time[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_PART, jnp.float32)

    def init(key):
        del key
        return {"part": jnp.zeros([3])}

    def loss(params, x, y):
        offset = params["part"]
        part = (nominal[0] + offset[0], nominal[1] * jnp.exp(unit * offset[1]), nominal[2] * jnp.exp(unit * offset[2]))
        fitted = _newton_cooling(x[:, 0], part, jnp) - _newton_cooling(x[:, 0], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "newton-cooling-curve",
        data,
        init,
        loss,
        "val MSE (temperature, units of 3 K)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a quenched part's Newton cooling curve fitted to {rows - held_out} train / {held_out} val "
        f"thermocouple readings; batch {batch}",
    )


#: The steel as it is: its Avrami time constant (s), Avrami exponent, and the dilatometer's full length change (um).
_TRUE_KINETICS = (300.0, 2.5, 40.0)

#: The nominal steel (the model's start).
_NOMINAL_KINETICS = (250.0, 2.0, 35.0)

#: The share of the transformation that follows Austin and Rickett's kinetics as it is (soft impingement).
_SOFT_IMPINGEMENT = 0.05


def _avrami(time, kinetics, xp=np):
    """The length change (um) at ``time`` (s) of a transformation by the Johnson-Mehl-Avrami-Kolmogorov equation,
    ``dL (1 - exp(-(t / tau)^n))``, ``kinetics`` its ``tau``, ``n`` and ``dL``."""
    constant, exponent, total = kinetics[0], kinetics[1], kinetics[2]
    return total * (1 - xp.exp(-((time / constant) ** exponent)))


def avrami_transformation(*, quick: bool = False) -> Task:
    """Draft."""
    rows, held_out, batch, unit, scale = 5000, 1000, 64, 0.2, 15.0
    rng = np.random.default_rng(0)
    time = rng.uniform(0.0, 1200.0, rows)
    constant, exponent, total = _TRUE_KINETICS
    extended = (time / constant) ** exponent
    fraction = (1 - _SOFT_IMPINGEMENT) * (1 - np.exp(-extended)) + _SOFT_IMPINGEMENT * extended / (1 + extended)
    y = (total * fraction - _avrami(time, _NOMINAL_KINETICS)) / scale + rng.normal(0, 0.1 / scale, rows)
    data = _rows(time[held_out:, None], y[held_out:], time[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_KINETICS, jnp.float32)

    def init(key):
        del key
        return {"kinetics": jnp.zeros([3])}

    def loss(params, x, y):
        kinetics = nominal * jnp.exp(unit * params["kinetics"])
        fitted = _avrami(x[:, 0], kinetics, jnp) - _avrami(x[:, 0], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "avrami-transformation",
        data,
        init,
        loss,
        "val MSE (length change, units of 15 um)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a steel's Avrami kinetics fitted to {rows - held_out} train / {held_out} val dilatometer "
        f"readings of an isothermal transformation; batch {batch}",
    )


#: The alloy as it is: its crack growth rate (mm per cycle) at 20 MPa m^0.5 and its Paris exponent.
_TRUE_PARIS = (5.3e-4, 3.4)

#: The nominal alloy (the model's start).
_NOMINAL_PARIS = (9e-4, 4.0)

#: The test's load ratio, and the alloy's fracture toughness and fatigue threshold as it is (MPa m^0.5).
_LOAD_RATIO, _TOUGHNESS, _THRESHOLD = 0.1, 60.0, 5.0


def _paris(stress_intensity, paris):
    """The crack growth rate (mm per cycle) at the stress intensity range ``stress_intensity`` (MPa m^0.5) by Paris's
    law, ``A (dK / 20 MPa m^0.5)^m``, ``paris`` its ``A`` and ``m``."""
    return paris[0] * (stress_intensity / 20.0) ** paris[1]


def paris_crack_growth(*, quick: bool = False) -> Task:
    """Draft."""
    rows, held_out, batch = 5000, 1000, 64
    rng = np.random.default_rng(0)
    stress_intensity = np.exp(rng.uniform(np.log(8.0), np.log(35.0), rows))
    # The alloy as it is, slower near its threshold and faster near its toughness (Kmax = dK / (1 - R)), less the
    # nominal alloy's growth rate, in mm per cycle.
    closeness = stress_intensity / (1 - _LOAD_RATIO) / _TOUGHNESS
    true = _paris(stress_intensity, _TRUE_PARIS) * np.sqrt(1 - _THRESHOLD / stress_intensity) / (1 - closeness)
    y = true - _paris(stress_intensity, _NOMINAL_PARIS) + rng.normal(0, 1e-4, rows)
    data = _rows(stress_intensity[held_out:, None], y[held_out:], stress_intensity[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_PARIS, jnp.float32)

    def init(key):
        del key
        return {"paris": jnp.zeros([2])}

    def loss(params, x, y):
        paris = nominal * jnp.exp(params["paris"])
        fitted = _paris(x[:, 0], paris) - _paris(x[:, 0], nominal)
        return jnp.mean((fitted - y) ** 2)

    return _fitted(
        "paris-crack-growth",
        data,
        init,
        loss,
        "val MSE (growth rate, mm per cycle)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"an alloy's Paris law fitted to {rows - held_out} train / {held_out} val fatigue crack growth "
        f"rates; batch {batch}",
    )


SPLIT = "held-out-51"
TASKS: dict[str, Callable[..., Task]] = {
    "newton-cooling-curve": newton_cooling_curve,
    "avrami-transformation": avrami_transformation,
    "paris-crack-growth": paris_crack_growth,
}
