"""The *held-out-48* tasks, added in round 65, are kept aside from every design, the held-out-47 tasks' included, and
run once (``--split held-out-48``) with the defaults frozen. Their structures are new to the suite: an empirical
composition of saturating functions (Pacejka's magic formula, ``D sin(C arctan(B x - E (B x - arctan(B x))))``), a
cubic equation of state (Peng-Robinson's pressure, a pole at the molar volume ``b`` less an attraction over a
quadratic in the volume, its temperature dependence through ``(1 + kappa (1 - sqrt(T / Tc)))^2``), and a heat
exchanger's effectiveness-NTU relation (a shell-and-tube exchanger's effectiveness, a ratio of exponentials of its
number of transfer units, its conductance two film resistances in series, each falling with its stream's flow).
Before these three, other versions ran with the fixed candidates on seeds 0 and 1 (through the suite's harness; some
on seed 0 only, some with only SGD) and were dropped: tyres in units of 0.05 to 10, with noises of 0.005 to 0.02 and
slips read off by 0.0005 to 0.004 (RMSProp ahead up to units of 0.3, every candidate jittering within 2% of the
others at 2.5 to 10), started part-way along the valley of ``B``, ``C`` and ``E`` (every candidate stopping short of
the fit), or with most slips within 0.05 and 1% or 3% beyond (RMSProp ahead); gases in units of 0.035 to 0.6, some
with the covolume's unit 3.5 to 20 times the others', in pressures of 0.15 to 30 bar a unit, over 260 to 400, 300 to
360 or 220 to 480 K and volumes from 0.06, 0.15, 0.2, 0.3 or 0.5 L / mol, some with 0.4% or 1% of dense states, or
with Mathias-Copeman's cubic temperature dependence (RMSProp ahead, every candidate at the noise, or SGD jittering
10% about its floor); exchangers in units of 0.035 to 1.2, their nominal films 3 to 5 times the true ones (Adam ahead
at mid-budget, RMSProp level with it by 2,000), with narrow flows, or with the flow's exponent fitted (RMSProp
ahead), or in units of 0.05 to 0.08 (SGD later). Each was also a search for a version on which Adam at 1e-3 sets the
target, and none was found: where Adam led at mid-budget, RMSProp, whose steps keep their size as the gradients
shrink, caught it by 2,000, so that Adam sets none of the three (SGD sets two, RMSProp one). Six calibrations
(--calibrate, seeds 100-104) and six baseline tunings ran, each on the whole split (each one's files replace the one
before's; the tyre's and the exchanger's targets, bests and steps came out the same each time they did not change),
changing the gas each time and the tyre and the exchanger once: first the tyre in units of 0.055 with noise 0.01
(RMSProp reaching its target at 1,450 to 1,900 updates), the exchanger in units of 0.08 (SGD on 4 of the 5 seeds) and
the gas 1.12, 0.97 and less 0.12 from the nominal one, its volumes translated by 0.02 L / mol, in units of 0.7 bar
with noise 0.3 (SGD at 1,200 to 1,900, jittering; the baseline at 3e-2, the top of its grid, missing it on every
seed); then the tyre and the exchanger as here and the gas as here in units of 0.7 bar, noise 0.3 (SGD on 4 of the 5
seeds, the baseline missing on seed 103), in units of 0.6 bar, noise 0.35 (SGD at 1,100 to 1,300 on every seed, at
its floor; the baseline missing on seed 103 by 0.1%) and in units of 0.9 bar, noise 0.27 (SGD on 4 of the 5 seeds;
the baseline, whose steps end at 3e-3, 0.4% to 1% above the floor, missing on every seed); then in bar, noise 0.243
(SGD at 1,850 to 1,950, still falling, its target 1.6% above the floor; the baseline missing on seed 103 by 0.4%);
then the gas here, in units of 1.1 bar, its target 3.8% above the floor. The cost of the tasks as they are: SGD
reaches the gas's target only at 1,900 to 2,000, late, still falling, and RMSProp the tyre's at 1,250 to 1,900 (late
on one seed), creeping down the valley; the exchanger's target is its floor. The baseline's tuned rate is 3e-2, the
top of its grid, on all three. Each run 1 to 3 s on the 2 cores shared with other jobs."""

from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def _magic_formula(slip, coefficients, xp=np):
    """Pacejka's magic formula: the force of a tyre at longitudinal ``slip``, ``coefficients`` its stiffness factor
    ``B``, shape factor ``C``, peak ``D`` and curvature factor ``E``."""
    stiffness, shape, peak, curvature = coefficients
    bx = stiffness * slip
    return peak * xp.sin(shape * xp.arctan(bx - curvature * (bx - xp.arctan(bx))))


#: The nominal tyre (the model's start): its stiffness, shape, peak and curvature factors.
_NOMINAL_TYRE = (10.0, 1.9, 1.0, 0.97)

#: The tyre as it is.
_TRUE_TYRE = (11.5, 1.75, 1.06, 0.85)

#: The scale of the model's parameters: the logarithms of ``B``, ``C`` and ``D`` and ``E`` itself.
_TYRE_UNIT = 0.06


def magic_formula_tyre(*, quick: bool = False) -> Task:
    """Fit a tyre's magic-formula coefficients to its force against slip, the squared error of the force, batch 64
    slips.

    A held-out-48 task, the identification of a tyre's force curve (Pacejka and Bakker 1992, "The magic formula tyre
    model"; Pacejka, "Tire and Vehicle Dynamics"): the force at slip ``x`` is ``D sin(C arctan(B x - E (B x -
    arctan(B x))))``, so that the stiffness factor ``B`` reaches the force through two nested arctangents inside a
    sine, the shape factor ``C`` scales the outer arctangent's angle, ``D`` sets the peak and ``E`` bends the curve
    past it; ``B``, ``C`` and ``E`` trade off along a long, soft valley (the cornering stiffness ``B C D`` fixed
    while the curve's shape changes). Each reading is the force (in units of the load) less the nominal tyre's (``B``
    10, ``C`` 1.9, ``D`` 1, ``E`` 0.97), so that the start predicts no change. The tyre as it is (11.5, 1.75, 1.06
    and 0.85) is also read through a wheel-speed sensor whose slip is off by 0.001, which the model cannot follow:
    its best fit (least squares on the training slips) leaves a residual, 33% above the noise. RMSProp, whose steps
    of 1e-3 keep their size while the gradients along the valley shrink, travels down it; Adam, whose second moment
    remembers the steep early gradients, slows along it, and SGD, whose steps follow the valley's walls, barely moves
    along it. The data (numpy seed 0): 5,000 slips U(-0.3, 0.3), each force change plus N(0, 0.012^2) noise (-0.0982
    to 0.10929); the first 1,000 for validation, 4,000 for training (the same for every run seed); each reading given
    as its slip. The model: the logarithms of ``B``, ``C`` and ``D`` and ``E`` itself (in units of 0.06) from 0 (the
    nominal tyre, the same start on every seed). The loss and the metric are the mean squared error of the force
    change (0 or more): 0.00343908 for a zero prediction (the start), 0.00339149 for the validation mean, 0.000142008
    for the true model (the noise), 0.000188334 for the model's best fit (its floor). Budget 2,000 updates, evaluated
    every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with other units, noises, offsets, starts
    and slips, as the module's docstring says, then on this task as it is on seeds 0 and 1 (RMSProp 0.00019203 and
    0.00019196, within 1% of it from 1,000 updates on both; Adam 0.00019573 and 0.00019532 and SGD with momentum
    0.00047779 and 0.00047516, still falling at 2,000), and on the calibration seeds in one other version, as it
    says. On the calibration seeds RMSProp at 1e-3 sets the target, 0.00019209, its median best 0.000192 loosened by
    the spread of its bests (0.00019197 to 0.00019207, at 1,650 to 2,000 updates), 35% above the noise and 2% above
    the model's floor: it gets below it on every seed within 1,250 to 1,900 updates (late on one seed, 1,900; 1,250
    to 1,600 on the other four), still creeping down the valley; Adam at 1e-3 on none (bests 0.00019544 to
    0.00019561, 1.8% above the target) and SGD with momentum at 1e-2 on none (bests 0.00047395 to 0.00047766, 2.5
    times), each at 2,000, still falling. RMSProp leads from 100 updates on, on every seed: after 500 updates the
    validation error is 0.0007629 to 0.0007642 for RMSProp, 0.0009793 to 0.0009879 for Adam and 0.001975 to 0.001982
    for SGD; after 1,000, 0.0001927 to 0.0001931, 0.000314 to 0.0003188 and 0.001149 to 0.00116 (1 to 2 s a run). The
    baseline's tuned rate is 3e-2, the top of its grid (median best 0.00018954, below the target on every seed within
    450 to 650 updates)."""
    rows, held_out, batch, unit, offset = 5000, 1000, 64, _TYRE_UNIT, 0.001
    rng = np.random.default_rng(0)
    slip = rng.uniform(-0.3, 0.3, rows)
    # The tyre as it is, its slip read off by 0.001 (the wheel's speed sensor slightly off).
    change = _magic_formula(slip + offset, _TRUE_TYRE) - _magic_formula(slip, _NOMINAL_TYRE)
    y = change + rng.normal(0, 0.012, rows)
    data = _rows(slip[held_out:, None], y[held_out:], slip[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_TYRE, jnp.float32)
    logs = jnp.asarray([1, 1, 1, 0], jnp.float32)

    def init(key):
        del key
        return {"tyre": jnp.zeros([4])}

    def loss(params, x, y):
        c = unit * params["tyre"]
        coefficients = logs * nominal * jnp.exp(c) + (1 - logs) * (nominal + c)
        fitted = _magic_formula(x[:, 0], coefficients, jnp) - _magic_formula(x[:, 0], nominal, jnp)
        return jnp.mean((fitted - y) ** 2)

    return _fitted(
        "magic-formula-tyre",
        data,
        init,
        loss,
        "val MSE (force, units of the load)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a tyre's magic formula fitted to {rows - held_out} train / {held_out} val force readings; "
        f"batch {batch}",
    )


#: The gas constant (L bar / (mol K)).
_R = 0.08314

#: The gas's critical temperature (K), as carbon dioxide's.
_TC = 304.1

#: The nominal gas (the model's start): its attraction ``a`` (L^2 bar / mol^2), covolume ``b`` (L / mol) and the slope
#: ``kappa`` of its attraction's temperature dependence, Peng-Robinson's for carbon dioxide.
_NOMINAL_GAS = (3.96, 0.02665, 0.708)

#: The gas as it is: its attraction and covolume times these, its ``kappa`` plus the last.
_TRUE_GAS_CHANGE = (1.06, 0.985, -0.06)


def _peng_robinson(temperature, volume, gas, xp=np):
    """Peng-Robinson's pressure (bar) at ``temperature`` (K) and molar ``volume`` (L / mol), ``gas`` its ``a``, ``b``
    and ``kappa``: ``R T / (v - b) - a alpha(T) / (v^2 + 2 b v - b^2)``, ``alpha = (1 + kappa (1 - sqrt(T /
    Tc)))^2``."""
    a, b, kappa = gas[0], gas[1], gas[2]
    alpha = (1 + kappa * (1 - xp.sqrt(temperature / _TC))) ** 2
    return _R * temperature / (volume - b) - a * alpha / (volume * volume + 2 * b * volume - b * b)


def peng_robinson_pvt(*, quick: bool = False) -> Task:
    """Fit a gas's Peng-Robinson constants to its pressures at given temperatures and volumes, the squared error of the
    pressure, batch 64 state points.

    A held-out-48 task, fitting a cubic equation of state (Peng and Robinson 1976, "A new two-constant equation of
    state"): the pressure at temperature ``T`` and molar volume ``v`` is ``R T / (v - b) - a alpha(T) / (v^2 + 2 b v
    - b^2)``, ``alpha = (1 + kappa (1 - sqrt(T / Tc)))^2``, so that the covolume ``b`` reaches the readings through a
    pole and through the attraction's quadratic denominator, and ``a`` and ``kappa`` through the attraction's
    temperature dependence, the three trading off along a soft valley. Each reading is the pressure (in units of 1.1
    bar) less the nominal gas's (carbon dioxide's constants: ``a`` 3.96 L^2 bar / mol^2, ``b`` 0.02665 L / mol,
    ``kappa`` 0.708, ``Tc`` 304.1 K), so that the start predicts no change. The gas as it is (``a`` 1.06 times, ``b``
    0.985 times, ``kappa`` less 0.06) also has its volumes translated by 0.01 L / mol (Peneloux's correction), which
    the model cannot follow: its best fit (least squares on the training states) leaves a residual, 12% above the
    noise. SGD with momentum, whose steps grow with the large pressures' gradients, travels the fit's way (5.3 units
    in ``kappa``) and creeps along the valley; Adam and RMSProp, whose steps of 1e-3 keep each parameter's pace, are
    still far at 2,000. The data (numpy seed 0): 5,000 states, ``T`` U(260, 400) K and ``v`` U(0.15, 1.5) L / mol,
    each pressure change plus N(0, 0.22^2) noise (-13.74 to 0.63195); the first 1,000 for validation, 4,000 for
    training (the same for every run seed); each reading given as ``(T, v)``. The model: the logarithms of ``a`` and
    ``b`` and ``kappa`` itself (in units of 0.05) from 0 (the nominal gas, the same start on every seed). The loss
    and the metric are the mean squared error of the pressure change (0 or more): 5.63899 for a zero prediction (the
    start), 3.70274 for the validation mean, 0.0494087 for the true model (the noise), 0.055535 for the model's best
    fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds
    0 and 1 with other gases, states, misfits, noises and units, as the module's docstring says, then on this task as
    it is on seeds 0 and 1 with SGD alone (0.057463 and 0.056867, within 1% of it from 1,900 updates on both, still
    falling), and on the calibration seeds in five other versions, as it says. On the calibration seeds SGD with
    momentum at 1e-2 sets the target, 0.05763, its median best 0.057331 loosened by the spread of its bests (0.057167
    to 0.057562, at 1,900 to 2,000 updates), 17% above the noise and 3.8% above the model's floor: it gets below it
    on every seed within 1,900 to 2,000 updates, late, still falling; Adam at 1e-3 on none (bests 0.38324 to 0.38999,
    6.7 times the target) and RMSProp at 1e-3 on none (bests 0.32293 to 0.33021, 5.7 times), each at 2,000, still
    falling. SGD leads on every seed: after 500 updates the validation error is 0.1172 to 0.1507 for SGD, 2.527 to
    2.63 for Adam and 2.361 to 2.384 for RMSProp; after 1,000, 0.0747 to 0.08227, 1.098 to 1.154 and 0.6873 to 0.7037
    (1 to 3 s a run). The baseline's tuned rate is 3e-2, the top of its grid (median best 0.05717, below the target
    on every seed within 1,700 to 1,900 updates)."""
    rows, held_out, batch, unit, scale, translation = 5000, 1000, 64, 0.05, 1.1, 0.01
    rng = np.random.default_rng(0)
    temperature = rng.uniform(260.0, 400.0, rows)
    volume = rng.uniform(0.15, 1.5, rows)
    a, b, kappa = _NOMINAL_GAS
    da, db, dkappa = _TRUE_GAS_CHANGE
    true = (a * da, b * db, kappa + dkappa)
    # The gas as it is, its volumes translated by 0.01 L / mol (Peneloux's correction), in units of 1.1 bar.
    change = _peng_robinson(temperature, volume + translation, true) - _peng_robinson(temperature, volume, _NOMINAL_GAS)
    y = change / scale + rng.normal(0, 0.22, rows)
    x = np.stack([temperature, volume], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_GAS, jnp.float32)
    logs = jnp.asarray([1, 1, 0], jnp.float32)

    def init(key):
        del key
        return {"gas": jnp.zeros([3])}

    def loss(params, x, y):
        c = unit * params["gas"]
        gas = logs * nominal * jnp.exp(c) + (1 - logs) * (nominal + c)
        fitted = _peng_robinson(x[:, 0], x[:, 1], gas, jnp) - _peng_robinson(x[:, 0], x[:, 1], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "peng-robinson-pvt",
        data,
        init,
        loss,
        "val MSE (pressure, units of 1.1 bar)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a gas's Peng-Robinson constants fitted to {rows - held_out} train / {held_out} val "
        f"pressures; batch {batch}",
    )


#: The streams' heat capacities (kJ / (kg K)): the hot oil's and the cold water's.
_HEAT_CAPACITIES = (2.0, 4.18)

#: The nominal exchanger (the model's start): the hot and cold films' conductances at 1 kg / s (kW / K).
_NOMINAL_FILMS = (5.0, 8.0)

#: The exchanger as it is: its films' conductances at 1 kg / s.
_TRUE_FILMS = (6.5, 6.4)


def _exchanger(flows, inlet_difference, films, exponent=0.8, xp=np):
    """A shell-and-tube exchanger's (one shell pass, two tube passes) changes of the hot and cold streams'
    temperatures (K), ``flows`` the hot and cold streams' (kg / s), ``inlet_difference`` their inlets' difference (K),
    ``films`` the films' conductances at 1 kg / s, each growing as the flow to ``exponent``: the conductance ``UA`` the
    films in series, ``NTU = UA / C_min``, the effectiveness ``2 / (1 + Cr + s (1 + e) / (1 - e))``, ``s`` the root of
    ``1 + Cr^2`` and ``e = exp(-NTU s)``, the heat ``effectiveness C_min`` times the inlets' difference."""
    hot, cold = flows[..., 0] * _HEAT_CAPACITIES[0], flows[..., 1] * _HEAT_CAPACITIES[1]
    conductance = 1 / (1 / (films[0] * flows[..., 0] ** exponent) + 1 / (films[1] * flows[..., 1] ** exponent))
    smaller, larger = xp.minimum(hot, cold), xp.maximum(hot, cold)
    ratio = smaller / larger
    root = xp.sqrt(1 + ratio * ratio)
    decay = xp.exp(-conductance / smaller * root)
    effectiveness = 2 / (1 + ratio + root * (1 + decay) / (1 - decay))
    heat = effectiveness * smaller * inlet_difference
    return xp.stack([-heat / hot, heat / cold], -1)


def shell_tube_exchanger(*, quick: bool = False) -> Task:
    """Fit a shell-and-tube heat exchanger's film conductances to its outlet temperatures, the squared error of the
    temperature changes, batch 64 runs.

    A held-out-48 task, the thermal rating of a heat exchanger (Kays and London, "Compact Heat Exchangers"; the
    effectiveness-NTU method): the conductance ``UA`` is the two films' in series, ``1 / (1 / (h_h m_h^0.8) + 1 /
    (h_c m_c^0.8))``, each film's growing with its stream's flow ``m``; the number of transfer units is ``UA /
    C_min``, ``C`` each stream's flow times its heat capacity, and a shell-and-tube exchanger's effectiveness (one
    shell pass, two tube passes) is ``2 / (1 + Cr + s (1 + e) / (1 - e))``, ``Cr = C_min / C_max``, ``s`` the root of
    ``1 + Cr^2`` and ``e = exp(-NTU s)``, so that each film's conductance reaches the outlets through a series
    resistance, the smaller of the two streams' capacities and a ratio of exponentials. Each reading is the hot oil's
    (2 kJ / (kg K)) and the cold water's (4.18 kJ / (kg K)) temperature changes, the heat ``effectiveness C_min``
    times the inlets' difference over each stream's capacity, less the nominal exchanger's (films of 5 and 8 kW / K
    at 1 kg / s), so that the start predicts no change. The exchanger as it is (films of 6.5 and 6.4 kW / K) has
    films that grow as the flow to 0.76, not 0.8, which the model cannot follow: its best fit (least squares on the
    training runs) leaves a residual, 24% above the noise. SGD with momentum, whose steps grow with the large
    temperature changes, travels the films' way (2.6 and 2.2 units) by 1,000 updates; Adam and RMSProp, whose steps
    of 1e-3 keep each parameter's pace, are still far at 2,000. The data (numpy seed 0): 5,000 runs, the hot flow
    U(0.3, 3) and the cold flow U(0.2, 1.5) kg / s, the inlets' difference U(20, 80) K, each temperature change plus
    N(0, 0.3^2) K noise (-2.5668 to 1.605); the first 1,000 for validation, 4,000 for training (the same for every
    run seed); each run given as its two flows and its inlets' difference. The model: the logarithms of the two
    films' conductances (in units of 0.09) from 0 (the nominal films, the same start on every seed). The loss and the
    metric are the mean squared error of the temperature changes (0 or more): 0.404309 for a zero prediction (the
    start), 0.381983 for the validation mean, 0.0869913 for the true model (the noise), 0.108241 for the model's best
    fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds
    0 and 1 with other films, exponents, flows, noises and units, as the module's docstring says, then on this task
    as it is on seeds 0 and 1 (SGD with momentum 0.10818 on both, within 1% of it from 550 updates; Adam 0.15424 and
    0.15493 and RMSProp 0.13731 and 0.1383, still falling at 2,000), and on the calibration seeds in one other
    version, as it says. On the calibration seeds SGD with momentum at 1e-2 sets the target, 0.10819, its median best
    0.10818 loosened by the spread of its bests (0.10817 to 0.10819, at 850 to 1,000 updates), 24% above the noise
    and 0.05% below the model's floor (fitted on the training runs; SGD's validation error gets a little below it):
    it gets below it on every seed within 850 to 1,000 updates, at its floor; Adam at 1e-3 on none (bests 0.1537 to
    0.15637, 1.4 times the target) and RMSProp at 1e-3 on none (bests 0.13755 to 0.1393, 1.3 times), each at 2,000,
    still falling. SGD leads on every seed: after 500 updates the validation error is 0.1096 to 0.11 for SGD, 0.3068
    to 0.3088 for Adam and 0.3 to 0.3022 for RMSProp; after 1,000, 0.1082 to 0.1083, 0.2367 to 0.2405 and 0.2237 to
    0.2263 (1 to 3 s a run). The baseline's tuned rate is 3e-2, the top of its grid (median best 0.10818, below the
    target on every seed within 300 to 1,100 updates; at 1e-2 its median best is within 5e-6 of it)."""
    rows, held_out, batch, unit = 5000, 1000, 64, 0.09
    rng = np.random.default_rng(0)
    flows = np.stack([rng.uniform(0.3, 3.0, rows), rng.uniform(0.2, 1.5, rows)], 1)
    inlet_difference = rng.uniform(20.0, 80.0, rows)
    # The exchanger as it is, its films' conductances growing as the flow to 0.76, not 0.8.
    true = _exchanger(flows, inlet_difference, _TRUE_FILMS, exponent=0.76)
    y = true - _exchanger(flows, inlet_difference, _NOMINAL_FILMS) + rng.normal(0, 0.3, (rows, 2))
    x = np.concatenate([flows, inlet_difference[:, None]], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_FILMS, jnp.float32)

    def init(key):
        del key
        return {"films": jnp.zeros([2])}

    def loss(params, x, y):
        films = nominal * jnp.exp(unit * params["films"])
        fitted = _exchanger(x[:, :2], x[:, 2], films, xp=jnp) - _exchanger(x[:, :2], x[:, 2], nominal, xp=jnp)
        return jnp.mean((fitted - y) ** 2)

    return _fitted(
        "shell-tube-exchanger",
        data,
        init,
        loss,
        "val MSE (outlet temperatures, K)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a heat exchanger's films fitted to {rows - held_out} train / {held_out} val outlet "
        f"temperatures; batch {batch}",
    )


SPLIT = "held-out-48"
TASKS: dict[str, Callable[..., Task]] = {
    "magic-formula-tyre": magic_formula_tyre,
    "peng-robinson-pvt": peng_robinson_pvt,
    "shell-tube-exchanger": shell_tube_exchanger,
}
