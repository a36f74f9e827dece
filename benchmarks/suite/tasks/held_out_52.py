"""The *held-out-52* tasks, added in round 69, are kept aside from every design, the held-out-51 tasks' included, and
run once (``--split held-out-52``) with the defaults frozen. Their structures are new to the suite: a tank's level as it
drains through an orifice at its bottom (Torricelli's law, the square of a linear fall of the level's square root, a
discharge coefficient that grows with the jet's speed as the misfit), a nanoparticle powder's magnetization curve (the
Langevin function of superparamagnetism, a share of smaller particles as the misfit), and a solar cell's current-voltage
curve (the ideal single-diode model, whose diode current at a reference voltage and ideality factor trade off along a
narrow curved valley, a shunt resistance's leakage as the misfit).
Before these three, other versions ran with the fixed candidates on seeds 0 and 1 (through the suite's harness, most on
seed 0 alone, a few with one candidate only; three of the diode's as a hand-written loop of Adam alone on seed 0 that
printed the parameters on the way) and were dropped, 21 in all. Torricelli's tank in 4 versions before the one kept: a
discharge coefficient growing by 0.5% per cm^0.5 of the level's root, in units of 2 cm, left a floor 6% above the noise
and SGD with momentum 1.09 times it at 1,900 updates; by 1.5% per cm^0.5 in units of 1 cm, a floor 83% above the noise
(SGD at it from 750 updates, then jittering to 1.26 times it); the same in units of 1.5 cm (SGD alone, within 1% of the
floor from 1,350); by 1% per cm^0.5 in units of 1 cm (SGD alone, within 1% from 750 and 850 updates on seeds 0 and 1,
then jittering to 1.4 and 1.5 times it at 2,000); in units of 1.25 cm (kept), within 1% from 1,050 and 1,200, Adam and
RMSProp 100 and 70 times the floor. Langevin's magnetization in 4 versions before the one kept: 10% of the mass in
particles of a quarter of the moment, in units of 2 emu/g (the parameters' logarithms in units of 0.2), a floor 4.2
times the noise, SGD with momentum at the floor by 1,750 updates (its large gradients), RMSProp 2.2 and Adam 5.8 times
it; 4% of the mass in units of 15 emu/g, RMSProp 1.2 times the floor at 2,000 (SGD 13 and Adam 25 times); the logarithms
in units of 0.3, RMSProp within 1% of it from 1,600 and 1,750 (Adam 11 and SGD 8 times); in units of 0.4, from 1,400 and
1,450 (Adam 7.7 and SGD 6.6 times); with the matrix's susceptibility in units of 5 emu/g per T rather than 3 (kept),
from 1,150 and 1,200. The solar cell in 13 versions before the one kept, built from the start on the mechanism by which
Adam sets a target (a narrow curved valley, small absolute gradients, the nominal cell moved along the softest
direction): with the diode's saturation current ``I0`` and the ideality factor as parameters, their correlation over the
readings was 0.9995 (the valley's condition number near 5,000): with a shunt of 1,000 ohm the floor was 2.2 times the
noise (Adam 1.03 times it at 1,550); of 3,000 ohm, Adam crept along the valley, 1.67 times its floor at 2,000; with the
readings up to 0.65 and 0.66 V, 4.0 and 6.3 times. The diode's current at 0.5 V in place of ``I0`` (the condition number
near 800 and 220 in the units tried) let Adam into the valley within 500 updates, but from a nominal cell off the
valley's axis it overshot along the ideality factor and crept back (1.03 to 1.08 times its floor at 2,000, 4 versions of
the nominal cell and the units); moved 0.8 and 0.6 units along the softest direction (the current at 0.5 and 0.55 V),
Adam kept a pace of about 1.7e-4 units an update down the valley (its minibatch gradients' noise, not its step, set the
pace) and was 1.15 to 1.6 times its floor at 2,000; moved 0.35 units, within 1% of the floor from 1,750 (the current at
0.5 V) and from 1,100 and 1,150 (at 0.55 V, the condition number 53, kept with the nominal cell rounded). So Adam at
1e-3 sets one target (the solar cell's), SGD with momentum one (the tank's) and RMSProp one (the magnetization's), each
calibrated (--calibrate) and its baseline tuned (--tune-baseline) once, on seeds 100-104, with the fixed candidates and
the baseline only. The cost of the tasks as they are: the three targets are within 0.4% of their model's floor (SGD's
for the tank 0.17% above it, RMSProp's for the magnetization 0.4% above it, Adam's for the solar cell 0.21% below it,
its validation error a little below the floor fitted on the training rows), so that each setter reaches its target at
its floor; Adam reaches the solar cell's at 1,450 to 1,850 updates (not in the last 5% of the budget), a little later
than on seeds 0 and 1 (it is within 1% of its floor by 1,100 and then gains the last tenths of a percent slowly); SGD
with momentum reaches the tank's at 1,050 to 1,750, jittering after (the highest later evaluations 34% to 106% above its
best); the baseline's tuned rate is 3e-2, the top of its grid, for the magnetization. Each run 1 to 2 s on the 2 cores
shared with other jobs."""

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
    """Fit a draining tank's gauge datum, initial level and drain constant to a level gauge's readings as it drains, the
    squared error of the level, batch 64 readings.

    A held-out-52 task, the draining of a tank through an orifice in its bottom (Torricelli 1643, "De motu gravium"; the
    quasi-steady Bernoulli analysis of White, "Fluid Mechanics", the draining tank): the jet leaves at ``Cd sqrt(2 g
    h)``, so that the level's square root falls linearly, ``sqrt(h) = sqrt(h0) - c t / 2``, ``c = Cd (a / A) sqrt(2 g)``
    the drain constant (``Cd`` the discharge coefficient, ``a / A`` the orifice's area over the tank's), and the gauge
    reads ``z + h``, ``z`` its datum's height over the orifice, so that ``z`` and ``h0`` reach the readings at the early
    times, ``c`` through the fall's pace. Each reading is the level (in units of 1.25 cm) less the nominal tank's (``z``
    0 cm, ``h0`` 100 cm, ``c`` 0.055 cm^0.5 per s), so that the start predicts no change. The tank as it is (``z`` 1.5
    cm, ``h0`` 120 cm, ``c`` 0.0675 cm^0.5 per s, a discharge coefficient of 0.61 through an orifice of 1/400 of the
    tank's area) has a discharge coefficient that grows with the jet's speed (its Reynolds number), by 1% per cm^0.5 of
    the level's square root (``Cd (1 + 0.01 sqrt(h))``, the level's root then ``((1 + 0.01 sqrt(h0)) exp(-0.01 c t / 2)
    - 1) / 0.01``), which the model cannot follow: its best fit (least squares on the training readings; ``z`` 3.376 cm,
    ``h0`` 117.83 cm, ``c`` 0.07416 cm^0.5 per s) leaves a residual, 31% above the noise. SGD with momentum, whose steps
    grow with the large level changes (gradients of a few to 40 at the start), travels the fit's way (3.4, 1.6 and 3
    units) within about a thousand updates; Adam and RMSProp, whose steps of 1e-3 keep each parameter's pace, are still
    far at 2,000. The data (numpy seed 0): 5,000 readings, the time U(0, 240) s (the tank as it is empties at about 300
    s), each level change plus N(0, 0.16^2) noise (the gauge's 0.2 cm; -4.45951 to 17.4617); the first 1,000 for
    validation, 4,000 for training (the same for every run seed); each reading given as its time. The model: ``z`` (in
    units of 1 cm) and the logarithms of ``h0`` and ``c`` (in units of 0.1) from 0 (the nominal tank, the same start on
    every seed). The loss and the metric are the mean squared error of the level change (0 or more): 39.9807 for a zero
    prediction (the start), 37.471 for the validation mean, 0.0252458 for the true model (the noise), 0.0331863 for the
    model's best fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran
    on seeds 0 and 1 with other misfits and units, as the module's docstring says, then on this task as it is on seeds 0
    and 1 (SGD with momentum 0.033004 and 0.033045, within 1% of the floor from 1,050 and 1,200 updates; Adam 3.4694 and
    3.4966 and RMSProp 2.2694 and 2.3025, still falling at 2,000). On the calibration seeds SGD with momentum at 1e-2
    sets the target, 0.033244, its median best 0.033081 loosened by the spread of its bests (0.033009 to 0.033229, at
    1,050 to 1,750 updates), 32% above the noise and 0.17% above the model's floor: it gets below it on every seed
    within 1,050 to 1,750 updates, at its floor, its later evaluations jittering above it (their median 3% to 12% above
    the target, the highest 34% to 106% above its best); Adam at 1e-3 on none (bests 3.4255 to 3.5724, 103 to 107 times
    the target) and RMSProp at 1e-3 on none (bests 2.2546 to 2.3056, 68 to 69 times), each at 2,000, still falling. SGD
    leads on every seed: after 500 updates the validation error is 0.04054 to 0.0483 for SGD, 24.49 to 24.85 for Adam
    and 24.06 to 24.24 for RMSProp; after 1,000, 0.03378 to 0.04296, 14.12 to 14.52 and 13.98 to 14.11 (1 to 2 s a run).
    The baseline's tuned rate is 1e-2 (median best 0.033043, below the target on every seed within 1,250 to 1,450
    updates), ahead of 3e-2 by 0.2% of the median best (0.03312, below the target within 400 to 1,150 updates)."""
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
    """Fit a nanoparticle powder's saturation magnetization, particle moment and background susceptibility to a
    magnetometer's readings of its magnetization curve, the squared error of the magnetization, batch 64 readings.

    A held-out-52 task, the magnetization of superparamagnetic nanoparticles (Langevin 1905, "Magnetisme et theorie des
    electrons"; Bean and Livingston 1959, "Superparamagnetism"): particles each of one magnetic domain, free to turn in
    the field ``B``, magnetize as ``Ms L(m B / kT)``, ``L(x) = coth(x) - 1 / x`` the Langevin function, ``Ms`` the
    saturation magnetization and ``a = m / kT`` a particle's moment over the thermal energy, and the matrix around them
    adds ``chi B``, so that ``Ms`` reaches the readings at the high fields (most of them, near saturation), ``a`` at the
    low fields through the curve's initial slope and its knee, and ``chi`` through the slope at the high fields. Each
    reading is the magnetization (in units of 15 emu/g) less the nominal powder's (``Ms`` 50 emu/g, ``a`` 40 per T,
    ``chi`` 0), so that the start predicts no change. The powder as it is (``Ms`` 58 emu/g, ``a`` 60 per T, ``chi`` 2
    emu/g per T) holds 4% of its mass in smaller particles, of a quarter of the moment (a size distribution), which the
    model cannot follow: its best fit (least squares on the training readings; ``Ms`` 57.54 emu/g, ``a`` 57.61 per T,
    ``chi`` 2.46 emu/g per T) leaves a residual, 56% above the noise. RMSProp, whose steps of 1e-3 keep their size as
    the gradients shrink near the fit, travels the way (0.35, 0.91 and 0.49 units) at its full pace; Adam, whose second
    moment remembers the large early gradients (the saturation's, 1.5 at the start against 0.15 and 0.21), slows along
    it, and SGD with momentum, whose steps follow the steep direction (``Ms``'s), creeps along the soft ones (``a``'s
    and ``chi``'s). The data (numpy seed 0): 5,000 readings, the field U(0, 1) T, each magnetization change plus N(0,
    0.006667^2) noise (the magnetometer's 0.1 emu/g; -0.00020486 to 0.761843); the first 1,000 for validation, 4,000 for
    training (the same for every run seed); each reading given as its field. The model: the logarithms of ``Ms`` and
    ``a`` (in units of 0.4) and ``chi`` (in units of 5 emu/g per T) from 0 (the nominal powder, the same start on every
    seed). The loss and the metric are the mean squared error of the magnetization change (0 or more): 0.403227 for a
    zero prediction (the start), 0.00424407 for the validation mean, 4.38295e-05 for the true model (the noise),
    6.82055e-05 for the model's best fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the
    fixed candidates ran on seeds 0 and 1 with other misfits and units, as the module's docstring says, then on this
    task as it is on seeds 0 and 1 (RMSProp 6.8015e-05 and 6.7994e-05, within 1% of the floor from 1,150 and 1,200
    updates; Adam 0.0004097 and 0.00040184 and SGD with momentum 0.00016669 and 0.00016852, still falling at 2,000). On
    the calibration seeds RMSProp at 1e-3 sets the target, 6.8477e-05, its median best 6.8033e-05 loosened by the spread
    of its bests (6.7783e-05 to 6.8319e-05, at 1,200 to 2,000 updates), 56% above the noise and 0.4% above the model's
    floor: it gets below it on every seed within 1,200 to 1,250 updates, at its floor, its later evaluations about it
    (their median 0.4% to 1.2% above it, the highest 5.6% to 10.4% above its best); Adam at 1e-3 on none (bests
    0.00039449 to 0.00041809, 5.8 to 6.1 times the target) and SGD with momentum at 1e-2 on none (bests 0.00016766 to
    0.00017197, 2.4 to 2.5 times), each at 2,000, still falling. After 500 updates the validation error is 0.001796 to
    0.001823 for RMSProp, 0.01066 to 0.01084 for Adam and 0.0009106 to 0.000956 for SGD (which leads early, its steps on
    the steep direction); after 1,000, 9.775e-05 to 0.0001022, 0.001643 to 0.001711 and 0.0004882 to 0.0004999 (1 to 2 s
    a run). The baseline's tuned rate is 3e-2, the top of its grid (median best 6.7811e-05, below the target on every
    seed within 650 to 700 updates), ahead of 1e-2 by 4% of the median best (7.0553e-05, below the target on no
    seed)."""
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
    return photocurrent - diode * (
        xp.exp((voltage - _REFERENCE_VOLTAGE) / thermal) - xp.exp(-_REFERENCE_VOLTAGE / thermal)
    )


def solar_cell_diode(*, quick: bool = False) -> Task:
    """Fit a solar cell's photocurrent, diode current and ideality factor to its current-voltage readings under light,
    the squared error of the current, batch 64 readings.

    A held-out-52 task, the fit of a solar cell's single-diode model (Shockley 1949, "The theory of p-n junctions in
    semiconductors"; Green, "Solar Cells: Operating Principles, Technology and System Applications"): a lit cell
    delivers ``Iph - I0 (exp(V / (n Vt)) - 1)`` at the voltage ``V``, ``Iph`` the photocurrent, ``I0`` the diode's
    saturation current, ``n`` its ideality factor and ``Vt`` kT / q (25.852 mV at 300 K), written here with the diode's
    current at 0.55 V, ``Id = I0 exp(0.55 V / (n Vt))``, in place of ``I0``, so that ``Iph`` reaches the readings at the
    low voltages and ``Id`` and ``n`` at the high ones, where the diode's current rises, mostly together (the current
    near 0.6 V), along a narrow curved valley (``I0`` itself and ``n`` correlate at 0.9995 over the readings; ``Id`` and
    ``n``, the valley's condition number 53 in the model's units). Each reading is the current (A) less the nominal
    cell's (``Iph`` 29.8 mA, ``Id`` 1.22 mA, ``n`` 1.25, moved from the fit along the valley), so that the start
    predicts no change. The cell as it is (``Iph`` 30 mA, ``Id`` 1.5 mA, ``n`` 1.5, ``I0`` near 1e-9 A) leaks through a
    shunt resistance of 2,000 ohm (a current ``V / 2,000 ohm``), which the model cannot follow: its best fit (least
    squares on the training readings; ``Iph`` 29.891 mA, ``Id`` 1.6875 mA, ``n`` 1.5976) leaves a residual, 31% above
    the noise. Adam, whose momentum carries its steps along the valley and whose epsilon (1e-8, outside the square root)
    is below its gradients, keeps its pace down the valley; RMSProp, whose epsilon (1e-8, inside the square root, so
    1e-4 on the gradients) is far above the gradients (a few 1e-7 at the start, the currents being tens of mA and the
    misfits tenths of one), makes steps ten times the gradients (a few 1e-6) and barely moves, and SGD with momentum,
    whose steps are a tenth of the gradients, does not move. The data (numpy seed 0): 5,000 readings, the voltage U(0,
    0.62) V (the open-circuit voltage near 0.66 V), each current change plus N(0, 0.0001^2) noise (0.1 mA; -0.000612623
    to 0.0014853); the first 1,000 for validation, 4,000 for training (the same for every run seed); each reading given
    as its voltage. The model: the logarithms of ``Iph`` (in units of 0.1), ``Id`` (in units of 2) and ``n`` (in units
    of 0.8) from 0 (the nominal cell, the same start on every seed). The loss and the metric are the mean squared error
    of the current change (0 or more): 5.4669e-08 for a zero prediction (the start), 5.42066e-08 for the validation
    mean, 9.86165e-09 for the true model (the noise), 1.29331e-08 for the model's best fit (its floor). Budget 2,000
    updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with other parameters,
    voltage ranges, shunts, units and nominal cells, as the module's docstring says, then on this task as it is on seeds
    0 and 1 (Adam 1.2884e-08 and 1.2901e-08, within 1% of the floor from 1,100 updates on both; SGD with momentum
    5.4516e-08 and 5.452e-08 and RMSProp 4.6611e-08 and 4.672e-08, barely moved). On the calibration seeds Adam at 1e-3
    sets the target, 1.2906e-08, its median best 1.289e-08 loosened by the spread of its bests (1.288e-08 to 1.2899e-08,
    at 1,450 to 1,850 updates), 31% above the noise and 0.21% below the model's floor (fitted on the training readings;
    Adam's validation error gets a little below it): it gets below it on every seed within 1,450 to 1,850 updates (late,
    but not in the last 5% of the budget; within 1% of the floor from about 1,100), at its floor, its later evaluations
    about it (their median 0.1% below to 0.9% above it, the highest 1% to 5.1% above its best); RMSProp at 1e-3 on none
    (bests 4.6683e-08 to 4.6816e-08, 3.6 times the target, still falling slowly at 2,000) and SGD with momentum at 1e-2
    on none (bests 5.4518e-08 to 5.4523e-08, 4.2 times). Adam leads from the start on every seed: after 500 updates the
    validation error is 1.934e-08 to 2.06e-08 for Adam, 5.137e-08 to 5.172e-08 for RMSProp and 5.463e-08 for SGD; after
    1,000, 1.34e-08 to 1.354e-08, 4.928e-08 to 4.947e-08 and 5.459e-08 to 5.46e-08 (1 to 2 s a run). The baseline's
    tuned rate is 1e-2 (median best 1.2878e-08, below the target on every seed within 400 to 1,000 updates), ahead of
    3e-3 by 0.05% of the median best (1.2885e-08, below the target within 850 to 1,300 updates)."""
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
