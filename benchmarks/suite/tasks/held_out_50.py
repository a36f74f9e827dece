"""The *held-out-50* tasks, added in round 67. MODULE DOCSTRING TO WRITE."""

from collections.abc import Callable

import jax.numpy as jnp
import jax.scipy.special as jss
import numpy as np
import scipy.special as ss

from benchmarks.suite.tasks._common import Task, _fitted, _rows

#: The pumping well's rate (m^3 per day).
_PUMPING_RATE = 500.0

#: The aquifer as it is: its transmissivity (m^2 per day) and storativity.
_TRUE_AQUIFER = (250.0, 2e-4)

#: The nominal aquifer (the model's start).
_NOMINAL_AQUIFER = (200.0, 1e-4)

#: How far the stream that recharges the aquifer as it is lies from the pumping well (m).
_STREAM_DISTANCE = 1250.0


def _theis_drawdown(distance, time, aquifer, xp=np):
    """The drawdown (m) at ``distance`` (m) from a well pumping :data:`_PUMPING_RATE` for ``time`` (days) in an
    infinite confined aquifer of transmissivity ``aquifer[0]`` and storativity ``aquifer[1]``, by Theis's solution:
    ``Q / (4 pi T) W(u)``, ``u = r^2 S / (4 T t)``, ``W`` the exponential integral ``E1``."""
    transmissivity, storativity = aquifer[0], aquifer[1]
    exp1 = ss.exp1 if xp is np else jss.exp1
    well_function = exp1(distance * distance * storativity / (4 * transmissivity * time))
    return _PUMPING_RATE / (4 * np.pi * transmissivity) * well_function


def theis_pumping_test(*, quick: bool = False) -> Task:
    """Theis. TO WRITE."""
    rows, held_out, batch, unit, scale = 5000, 1000, 64, 0.2, 0.03
    rng = np.random.default_rng(0)
    distance = rng.uniform(5.0, 150.0, rows)
    time = np.exp(rng.uniform(np.log(0.001), 0.0, rows))
    # The aquifer as it is, recharged by a stream 1,250 m away (an image well pumping in, on the far side of it), less
    # the nominal aquifer's drawdown, in units of 3 cm.
    true = _theis_drawdown(distance, time, _TRUE_AQUIFER)
    true = true - _theis_drawdown(2 * _STREAM_DISTANCE - distance, time, _TRUE_AQUIFER)
    y = (true - _theis_drawdown(distance, time, _NOMINAL_AQUIFER)) / scale + rng.normal(0, 0.2, rows)
    x = np.stack([distance, time], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_AQUIFER, jnp.float32)

    def init(key):
        del key
        return {"aquifer": jnp.zeros([2])}

    def loss(params, x, y):
        aquifer = nominal * jnp.exp(unit * params["aquifer"])
        fitted = _theis_drawdown(x[:, 0], x[:, 1], aquifer, jnp) - _theis_drawdown(x[:, 0], x[:, 1], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "theis-pumping-test",
        data,
        init,
        loss,
        "val MSE (drawdown, units of 3 cm)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"an aquifer's transmissivity and storativity fitted to {rows - held_out} train / {held_out} val "
        f"drawdowns of a pumping test; batch {batch}",
    )


#: The contact as it is: its Coulomb and static friction (N), Stribeck velocity (m/s), the Stribeck curve's exponent,
#: and its viscous friction (N s/m) at 0.2 m/s.
_TRUE_CONTACT = (10.0, 15.0, 0.01, 1.5, 40.0)

#: The nominal contact (the model's start).
_NOMINAL_CONTACT = (9.0, 16.0, 0.008, 1.8, 30.0)

#: The exponent of the speed in the contact's viscous friction as it is (a shear-thinning lubricant), and the speed
#: (m/s) at which its viscous friction is the linear one's.
_SHEAR_THINNING, _REFERENCE_SPEED = 0.8, 0.2


def _stribeck_friction(speed, contact, xp=np):
    """The friction force (N) at sliding ``speed`` (m/s) by the Stribeck curve with viscous friction, ``Fc + (Fs -
    Fc) exp(-(v / vs)^delta) + sigma v``, ``contact`` its ``Fc``, ``Fs``, ``vs``, ``delta`` and ``sigma``."""
    coulomb, static, stribeck, exponent, viscous = contact[0], contact[1], contact[2], contact[3], contact[4]
    return coulomb + (static - coulomb) * xp.exp(-((speed / stribeck) ** exponent)) + viscous * speed


def stribeck_friction(*, quick: bool = False) -> Task:
    """Stribeck. TO WRITE."""
    rows, held_out, batch, unit, scale = 5000, 1000, 64, 0.18, 3.0
    rng = np.random.default_rng(0)
    speed = np.exp(rng.uniform(np.log(1e-4), np.log(0.2), rows))
    # The contact as it is, its lubricant shear-thinning (the viscous friction a power 0.8 of the speed), less the
    # nominal contact's friction, in units of 3 N.
    coulomb, static, stribeck, exponent, viscous = _TRUE_CONTACT
    true = coulomb + (static - coulomb) * np.exp(-((speed / stribeck) ** exponent))
    true = true + viscous * _REFERENCE_SPEED * (speed / _REFERENCE_SPEED) ** _SHEAR_THINNING
    y = (true - _stribeck_friction(speed, _NOMINAL_CONTACT)) / scale + rng.normal(0, 0.03, rows)
    data = _rows(speed[held_out:, None], y[held_out:], speed[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_CONTACT, jnp.float32)

    def init(key):
        del key
        return {"contact": jnp.zeros([5])}

    def loss(params, x, y):
        contact = nominal * jnp.exp(unit * params["contact"])
        fitted = _stribeck_friction(x[:, 0], contact, jnp) - _stribeck_friction(x[:, 0], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "stribeck-friction",
        data,
        init,
        loss,
        "val MSE (friction, units of 3 N)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a lubricated contact's Stribeck curve fitted to {rows - held_out} train / {held_out} val "
        f"friction forces; batch {batch}",
    )


#: The alloy as it is (7075-T6): its Young's modulus (MPa), 0.2% proof stress (MPa) and Ramberg-Osgood exponent.
_TRUE_ALLOY = (71700.0, 503.0, 15.0)

#: The nominal alloy (the model's start).
_NOMINAL_ALLOY = (71000.0, 485.0, 11.5)

#: The alloy's microplastic strain as it is, at its proof stress, and the power of the stress it grows with.
_MICROPLASTIC_STRAIN, _MICROPLASTIC_POWER = 0.0008, 4.0

#: The extensometer's gauge length (mm).
_GAUGE_LENGTH = 5.0


def _ramberg_osgood(stress, alloy):
    """The strain at ``stress`` (MPa) by Ramberg and Osgood's equation, ``sigma / E + 0.002 (sigma / sigma_p)^n``,
    ``alloy`` its ``E``, ``sigma_p`` (the 0.2% proof stress) and ``n``."""
    modulus, proof, exponent = alloy[0], alloy[1], alloy[2]
    return stress / modulus + 0.002 * (stress / proof) ** exponent


def ramberg_osgood_tensile(*, quick: bool = False) -> Task:
    """Ramberg-Osgood. TO WRITE."""
    rows, held_out, batch, unit = 5000, 1000, 64, 0.6
    rng = np.random.default_rng(0)
    stress = rng.uniform(80.0, 560.0, rows)
    # The alloy as it is, with its microplastic strain, less the nominal alloy's, as the extension (mm) over the
    # extensometer's 5 mm gauge length.
    true = _ramberg_osgood(stress, _TRUE_ALLOY) + _MICROPLASTIC_STRAIN * (stress / _TRUE_ALLOY[1]) ** _MICROPLASTIC_POWER
    y = _GAUGE_LENGTH * (true - _ramberg_osgood(stress, _NOMINAL_ALLOY)) + rng.normal(0, 0.0005, rows)
    data = _rows(stress[held_out:, None], y[held_out:], stress[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_ALLOY, jnp.float32)

    def init(key):
        del key
        return {"alloy": jnp.zeros([3])}

    def loss(params, x, y):
        alloy = nominal * jnp.exp(unit * params["alloy"])
        fitted = _ramberg_osgood(x[:, 0], alloy) - _ramberg_osgood(x[:, 0], nominal)
        return jnp.mean((_GAUGE_LENGTH * fitted - y) ** 2)

    return _fitted(
        "ramberg-osgood-tensile",
        data,
        init,
        loss,
        "val MSE (extension, mm)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"an alloy's Ramberg-Osgood parameters fitted to {rows - held_out} train / {held_out} val "
        f"extensions of a tensile test; batch {batch}",
    )


SPLIT = "held-out-50"
TASKS: dict[str, Callable[..., Task]] = {
    "theis-pumping-test": theis_pumping_test,
    "stribeck-friction": stribeck_friction,
    "ramberg-osgood-tensile": ramberg_osgood_tensile,
}
