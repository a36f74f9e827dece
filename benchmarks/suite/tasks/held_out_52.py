"""The *held-out-52* tasks, added in round 69, are kept aside from every design, the held-out-51 tasks' included, and
run once (``--split held-out-52``) with the defaults frozen. MODULE_DOC_TODO"""

from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows

#: The tank as it is: its level gauge's datum (cm), its initial level (cm) and its drain constant (cm^0.5 per s), the
#: discharge coefficient times the orifice's area over the tank's times sqrt(2 g).
_TRUE_TANK = (1.5, 120.0, 0.0675)

#: The nominal tank (the model's start).
_NOMINAL_TANK = (0.0, 100.0, 0.055)

#: How the tank's discharge coefficient grows with the jet's speed as it is, per cm^0.5 of the level's square root.
_REYNOLDS_GROWTH = 0.01


def _torricelli(time, tank, xp=np):
    """The level (cm, on the gauge) at ``time`` (s) of a tank draining by Torricelli's law, ``z + (sqrt(h0) - c t /
    2)^2`` until it is empty, ``tank`` its ``z``, ``h0`` and ``c``."""
    datum, level, constant = tank[0], tank[1], tank[2]
    return datum + xp.maximum(xp.sqrt(level) - constant * time / 2, 0.0) ** 2


def torricelli_tank_draining(*, quick: bool = False) -> Task:
    """TANK_DOC_TODO"""
    rows, held_out, batch, unit, scale = 5000, 1000, 64, 0.1, 1.25
    rng = np.random.default_rng(0)
    time = rng.uniform(0.0, 240.0, rows)
    datum, level, constant = _TRUE_TANK
    # The tank as it is, its discharge coefficient c0 (1 + g sqrt(h)): sqrt(h) = ((1 + g sqrt(h0)) exp(-g c0 t / 2) -
    # 1) / g.
    growth = _REYNOLDS_GROWTH
    root = ((1 + growth * np.sqrt(level)) * np.exp(-growth * constant * time / 2) - 1) / growth
    true = datum + root**2
    y = (true - _torricelli(time, _NOMINAL_TANK)) / scale + rng.normal(0, 0.2 / scale, rows)
    data = _rows(time[held_out:, None], y[held_out:], time[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_TANK, jnp.float32)

    def init(key):
        del key
        return {"tank": jnp.zeros([3])}

    def loss(params, x, y):
        offset = params["tank"]
        tank = (nominal[0] + offset[0], nominal[1] * jnp.exp(unit * offset[1]), nominal[2] * jnp.exp(unit * offset[2]))
        fitted = _torricelli(x[:, 0], tank, jnp) - _torricelli(x[:, 0], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "torricelli-tank-draining",
        data,
        init,
        loss,
        "val MSE (level, units of 1.25 cm)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a draining tank's Torricelli law fitted to {rows - held_out} train / {held_out} val level "
        f"gauge readings; batch {batch}",
    )


#: The powder as it is: its saturation magnetization (emu/g), its particles' moment over kT (per T) and its matrix's
#: susceptibility (emu/g per T).
_TRUE_POWDER = (58.0, 60.0, 2.0)

#: The nominal powder (the model's start).
_NOMINAL_POWDER = (50.0, 40.0, 0.0)

#: The share of the powder's mass as it is in smaller particles, and their moment over the others'.
_SMALL_SHARE, _SMALL_MOMENT = 0.04, 0.25


def _langevin(x, xp=np):
    """Langevin's function ``coth(x) - 1 / x`` for ``x`` 0 or more (its series below 0.1, where the difference loses
    its digits)."""
    safe = xp.maximum(x, 0.1)
    return xp.where(x < 0.1, x / 3 - x**3 / 45 + 2 * x**5 / 945, 1 / xp.tanh(safe) - 1 / safe)


def _magnetization(field, powder, xp=np):
    """The magnetization (emu/g) in the field ``field`` (T) of a superparamagnetic powder, ``Ms L(a B) + chi B``,
    ``powder`` its ``Ms``, ``a`` and ``chi``."""
    saturation, moment, susceptibility = powder[0], powder[1], powder[2]
    return saturation * _langevin(moment * field, xp) + susceptibility * field


def langevin_magnetization(*, quick: bool = False) -> Task:
    """LANGEVIN_DOC_TODO"""
    rows, held_out, batch, unit, chi_unit, scale = 5000, 1000, 64, 0.4, 5.0, 15.0
    rng = np.random.default_rng(0)
    field = rng.uniform(0.0, 1.0, rows)
    saturation, moment, susceptibility = _TRUE_POWDER
    mixed = (1 - _SMALL_SHARE) * _langevin(moment * field) + _SMALL_SHARE * _langevin(_SMALL_MOMENT * moment * field)
    true = saturation * mixed + susceptibility * field
    y = (true - _magnetization(field, _NOMINAL_POWDER)) / scale + rng.normal(0, 0.1 / scale, rows)
    data = _rows(field[held_out:, None], y[held_out:], field[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_POWDER, jnp.float32)

    def init(key):
        del key
        return {"powder": jnp.zeros([3])}

    def loss(params, x, y):
        offset = params["powder"]
        powder = (
            nominal[0] * jnp.exp(unit * offset[0]),
            nominal[1] * jnp.exp(unit * offset[1]),
            nominal[2] + chi_unit * offset[2],
        )
        fitted = _magnetization(x[:, 0], powder, jnp) - _magnetization(x[:, 0], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "langevin-magnetization",
        data,
        init,
        loss,
        "val MSE (magnetization, units of 15 emu/g)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a nanoparticle powder's Langevin magnetization curve fitted to {rows - held_out} train / "
        f"{held_out} val magnetometer readings; batch {batch}",
    )


#: The cell as it is: its photocurrent (A), its diode's current at 0.55 V (A) and its ideality factor.
_TRUE_CELL = (0.03, 1.5e-3, 1.5)

#: The nominal cell (the model's start).
_NOMINAL_CELL = (0.0298, 1.22e-3, 1.25)

#: The thermal voltage kT / q at 300 K (V), the diode's reference voltage (V) and the cell's shunt resistance as it is
#: (ohm).
_THERMAL_VOLTAGE, _REFERENCE_VOLTAGE, _SHUNT = 0.025852, 0.55, 2000.0


def _single_diode(voltage, cell, xp=np):
    """The current (A) at ``voltage`` (V) of a solar cell by the ideal single-diode model, ``Iph - Id (exp((V - 0.55
    V) / (n Vt)) - exp(-0.55 V / (n Vt)))``, ``cell`` its ``Iph``, ``Id`` (the diode's current at 0.55 V) and ``n``."""
    photocurrent, diode, ideality = cell[0], cell[1], cell[2]
    thermal = ideality * _THERMAL_VOLTAGE
    return photocurrent - diode * (xp.exp((voltage - _REFERENCE_VOLTAGE) / thermal) - xp.exp(-_REFERENCE_VOLTAGE / thermal))


def solar_cell_diode(*, quick: bool = False) -> Task:
    """DIODE_DOC_TODO"""
    rows, held_out, batch, units = 5000, 1000, 64, (0.1, 2.0, 0.8)
    rng = np.random.default_rng(0)
    voltage = rng.uniform(0.0, 0.62, rows)
    true = _single_diode(voltage, _TRUE_CELL) - voltage / _SHUNT
    y = true - _single_diode(voltage, _NOMINAL_CELL) + rng.normal(0, 1e-4, rows)
    data = _rows(voltage[held_out:, None], y[held_out:], voltage[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_CELL, jnp.float32)
    scales = jnp.asarray(units, jnp.float32)

    def init(key):
        del key
        return {"cell": jnp.zeros([3])}

    def loss(params, x, y):
        cell = nominal * jnp.exp(scales * params["cell"])
        fitted = _single_diode(x[:, 0], cell, jnp) - _single_diode(x[:, 0], nominal, jnp)
        return jnp.mean((fitted - y) ** 2)

    return _fitted(
        "solar-cell-diode",
        data,
        init,
        loss,
        "val MSE (current, A)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a solar cell's single-diode model fitted to {rows - held_out} train / {held_out} val "
        f"current-voltage readings; batch {batch}",
    )


SPLIT = "held-out-52"
TASKS: dict[str, Callable[..., Task]] = {
    "torricelli-tank-draining": torricelli_tank_draining,
    "langevin-magnetization": langevin_magnetization,
    "solar-cell-diode": solar_cell_diode,
}
