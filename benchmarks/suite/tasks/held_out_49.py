"""The *held-out-49* tasks, added in round 66, are kept aside from every design, the held-out-48 tasks' included, and
run once (``--split held-out-49``) with the defaults frozen. Their structures are new to the suite: refraction through a
prism of a dispersive glass (Snell's law twice, nested arcsines, at each wavelength the index of Sellmeier's dispersion
formula, a sum of poles in the wavelength squared), Fraunhofer diffraction by a double slit (a sinc-squared envelope of
the slits' width times the squared cosine of their separation's fringes, under a source of finite bandwidth), and the
titration of a triprotic acid (Bjerrum's formation function, a ratio of cubics in the hydrogen ion's concentration,
inside the charge balance that gives the volume of base added at each pH).
Before these three, other versions ran with the fixed candidates on seeds 0 and 1 (through the suite's harness; some
on seed 0 only) and were dropped. First a solar cell's single-diode equation, its current solved inside the model by 30
Newton steps, five parameters in logs (the light current, the saturation current, the ideality, the series and shunt
resistances) in units of 0.1 to 2 or of 0.6 to 60 a parameter, its misfit a second diode or an irradiance sensor off by
0.004 to 0.01, noises of 0.005 to 0.01 A, with the output in amperes or in units of 2 to 4 A, and a cell whose
saturation current and ideality were off along their valley: every candidate stuck along the valley of the saturation
current and the ideality, or Adam and RMSProp level within 1% (RMSProp's best a low swing of its jitter), or SGD
running off to 10 times the start; dropped, its runs also 5 to 50 s each. Then prisms in units of 0.05 to 0.15, their
deviations in units of 1 to 6 mrad (SGD diverging at 1 and 3 mrad, RMSProp jittering 30% about the floor at 0.15);
double slits in units of 0.015 to 3 with noises of 0.005 to 0.02 of the peak and bandwidths of 3% to 10% (every
candidate at the noise, or all within 1% of the floor together from 200 updates); titrations in units of 0.05 to 0.6,
in units of 1 to 6 mL, their misfit a pH meter's offset (absorbed by the pKa, the floor at the noise) or its slope
(RMSProp at the floor from 550 to 950 updates, Adam from 900 to 1,550). Each was also a search for a version on which
Adam at 1e-3 sets the target, and none was found: where the steps of 1e-3 jitter (large units), RMSProp's best, the
lowest of forty evaluations, is one of its low swings, level with Adam's; where they do not, RMSProp, whose steps keep
their size as the gradients shrink, reaches the floor first. So Adam sets none of the three (SGD with momentum sets
two, RMSProp one). One calibration (--calibrate, seeds 100-104) and one baseline tuning ran, on the whole split, the
tasks as they are. The cost of the tasks as they are: the three targets are within 2.1% of their model's floor
(RMSProp's for the prism 2.1% above it; SGD's for the slits and the titration at it, fitted on the training rows); the
baseline's tuned rate is 3e-3 (the prism) and 1e-2 (the titration), inside its grid, and 3e-2, the top, for the slits;
the baseline reaches the titration's target only at 1,650 to 2,000 updates. Each run 1 to 3 s on the 2 cores shared
with other jobs."""

from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows

#: The glass as it is, Schott's N-BK7: Sellmeier's ``B1``, ``B2`` and ``B3`` and ``C1``, ``C2`` and ``C3`` (um^2).
_BK7 = (1.03961212, 0.231792344, 1.01046945, 0.00600069867, 0.0200179144, 103.560653)

#: The nominal glass (the model's start): N-BK7's coefficients times these.
_NOMINAL_GLASS_CHANGE = (0.97, 1.1, 0.95, 1.05, 0.9, 1.05)

#: The prism's apex angle (degrees), and how far the prism as it is is off it.
_APEX, _APEX_ERROR = 60.0, 0.02


def _sellmeier_index(wavelength, glass, xp=np):
    """The refractive index at ``wavelength`` (um) by Sellmeier's formula, ``n^2 = 1 + sum B_i l^2 / (l^2 - C_i)``,
    ``glass`` its ``B1``, ``B2``, ``B3``, ``C1``, ``C2`` and ``C3``."""
    square = wavelength * wavelength
    terms = [glass[i] * square / (square - glass[i + 3]) for i in range(3)]
    return xp.sqrt(1 + terms[0] + terms[1] + terms[2])


def _prism_deviation(incidence, wavelength, glass, apex, xp=np):
    """The deviation (radians) of a ray entering a prism of ``apex`` angle at ``incidence`` (radians): Snell's law at
    each face, ``incidence + arcsin(n sin(apex - arcsin(sin(incidence) / n))) - apex``."""
    index = _sellmeier_index(wavelength, glass, xp)
    inside = xp.arcsin(xp.sin(incidence) / index)
    return incidence + xp.arcsin(index * xp.sin(apex - inside)) - apex


def prism_sellmeier(*, quick: bool = False) -> Task:
    """Fit a glass's Sellmeier coefficients to a prism's deviations of light of many wavelengths, the squared error of
    the deviation, batch 64 rays.

    A held-out-49 task, the measurement of a glass's dispersion with a prism spectrometer (Sellmeier 1871; Fraunhofer's
    and Abbe's minimum deviation method; Schott's N-BK7 data sheet): at wavelength ``l`` the glass's index is ``n^2 = 1
    + B1 l^2 / (l^2 - C1) + B2 l^2 / (l^2 - C2) + B3 l^2 / (l^2 - C3)``, poles at two ultraviolet and one infrared
    resonance, and a ray entering a prism of apex ``A`` at incidence ``i`` is deviated by ``i + arcsin(n sin(A -
    arcsin(sin(i) / n))) - A``, Snell's law at each face, so that each coefficient reaches the readings through the
    index's poles and two nested arcsines; the coefficients trade off along a soft valley (an ultraviolet pole's ``B``
    and ``C`` together, the infrared one's ``B3 / C3``). Each reading is the deviation (in units of 5 mrad) less the
    nominal glass's (N-BK7's coefficients times 0.97, 1.1, 0.95, 1.05, 0.9 and 1.05), so that the start predicts no
    change. The glass as it is (N-BK7: 1.0396, 0.23179, 1.0105, 0.0060007, 0.020018 and 103.56 um^2) is also in a
    prism whose apex is 60.02 degrees, not 60, which the model cannot follow: its best fit (least squares on the
    training rays) leaves a residual, 24% above the noise. RMSProp, whose steps of 1e-3 keep their size while the
    gradients along the valley shrink, travels down it; Adam, whose second moment remembers the steep early gradients,
    slows along it, and SGD, whose steps follow the valley's steep wall (``B1``'s), jitters across it. The data (numpy
    seed 0): 5,000 rays, the incidence U(45, 75) degrees and the wavelength U(0.4, 1.6) um, each deviation change plus
    N(0, 0.012^2) noise (0.520142 to 0.949159); the first 1,000 for validation, 4,000 for training (the same for every
    run seed); each ray given as ``(incidence in radians, wavelength)``. The model: the logarithms of the six
    coefficients (in units of 0.12) from 0 (the nominal glass, the same start on every seed). The loss and the metric
    are the mean squared error of the deviation change (0 or more): 0.488172 for a zero prediction (the start),
    0.00580918 for the validation mean, 0.000147001 for the true model (the noise), 0.000181907 for the model's best
    fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0
    and 1 with other units, scales, noises and nominal glasses, as the module's docstring says, then on this task as it
    is on seeds 0 and 1 (RMSProp 0.0001846 and 0.00018458, within 1% of it from 1,100 and 1,350 updates; Adam
    0.00038708 and 0.00037962, still falling at 2,000, and SGD with momentum 0.00028218 and 0.00023633, jittering). On
    the calibration seeds RMSProp at 1e-3 sets the target, 0.00018567, its median best 0.00018474 loosened by the
    spread of its bests (0.00018397 to 0.00018527, at 1,200 to 1,650 updates), 26% above the noise and 2.1% above the
    model's floor: it gets below it on every seed within 1,200 to 1,650 updates; Adam at 1e-3 on none (bests
    0.00038709 to 0.00038932, 2.1 times the target, still falling at 2,000) and SGD with momentum at 1e-2 on none
    (bests 0.00023127 to 0.0002778, 1.25 to 1.5 times, jittering). RMSProp leads from 500 updates on, on every seed:
    after 500 updates the validation error is 0.0003931 to 0.00062 for RMSProp, 0.001571 to 0.001595 for Adam and
    0.0006686 to 0.001449 for SGD; after 1,000, 0.0001894 to 0.0003263, 0.0008442 to 0.0008496 and 0.0004525 to
    0.002582 (1 to 3 s a run). The baseline's tuned rate is 3e-3, inside its grid (median best 0.00018419, below the
    target on every seed within 800 to 1,050 updates)."""
    rows, held_out, batch, unit, scale = 5000, 1000, 64, 0.12, 0.005
    rng = np.random.default_rng(0)
    incidence = np.radians(rng.uniform(45.0, 75.0, rows))
    wavelength = rng.uniform(0.4, 1.6, rows)
    nominal = tuple(b * c for b, c in zip(_BK7, _NOMINAL_GLASS_CHANGE, strict=True))
    apex = np.radians(_APEX)
    # The prism as it is: N-BK7, its apex 0.02 degrees off the nominal 60, the deviation in units of 5 mrad.
    true = _prism_deviation(incidence, wavelength, _BK7, np.radians(_APEX + _APEX_ERROR))
    y = (true - _prism_deviation(incidence, wavelength, nominal, apex)) / scale + rng.normal(0, 0.012, rows)
    x = np.stack([incidence, wavelength], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])
    nominal_glass = jnp.asarray(nominal, jnp.float32)

    def init(key):
        del key
        return {"glass": jnp.zeros([6])}

    def loss(params, x, y):
        glass = nominal_glass * jnp.exp(unit * params["glass"])
        fitted = _prism_deviation(x[:, 0], x[:, 1], glass, apex, jnp)
        fitted = fitted - _prism_deviation(x[:, 0], x[:, 1], nominal_glass, apex, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "prism-sellmeier",
        data,
        init,
        loss,
        "val MSE (deviation, units of 5 mrad)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a glass's Sellmeier coefficients fitted to {rows - held_out} train / {held_out} val prism "
        f"deviations; batch {batch}",
    )


#: The laser's wavelength (um).
_WAVELENGTH = 0.6328

#: The nominal slits (the model's start): their width and separation (um) and the pattern's peak.
_NOMINAL_SLITS = (40.0, 160.0, 1.0)

#: The slits as they are.
_TRUE_SLITS = (42.0, 156.0, 1.05)

#: The source's bandwidth: its wavelengths spread evenly over 6% either side of the nominal one, 9 of them.
_BANDWIDTH, _LINES = 0.06, 9


def _double_slit(sine, slits, wavelength=_WAVELENGTH, xp=np):
    """The intensity of a double slit's Fraunhofer pattern at the sine ``sine`` of the angle, ``slits`` their width
    ``a``, separation ``d`` (um) and the peak: ``peak sinc^2(a sine / wavelength) cos^2(pi d sine / wavelength)``
    (``sinc(x) = sin(pi x) / (pi x)``)."""
    width, separation, peak = slits[0], slits[1], slits[2]
    return peak * xp.sinc(width * sine / wavelength) ** 2 * xp.cos(np.pi * separation * sine / wavelength) ** 2


def double_slit_diffraction(*, quick: bool = False) -> Task:
    """Fit a double slit's width and separation to its Fraunhofer diffraction pattern, the squared error of the
    intensity, batch 64 points of the pattern.

    A held-out-49 task, the measurement of slits by their far-field pattern (Young 1804; Fraunhofer diffraction, Born
    and Wolf, "Principles of Optics"): at the sine ``s`` of the angle two slits of width ``a`` and separation ``d`` lit
    at wavelength ``l`` give ``I0 sinc^2(a s / l) cos^2(pi d s / l)``, a single slit's sinc-squared envelope times the
    two slits' fringes, so that the width reaches the readings through the envelope's zeros and the separation through
    the fringes' phase, growing with the angle. Each reading is the intensity (in units of 0.022 of the nominal peak)
    less the nominal slits' (40 and 160 um, peak 1, at 0.6328 um), so that the start predicts no change. The slits as
    they are (42 and 156 um, peak 1.05) are lit by a source whose wavelengths spread 6% either side of the laser's (9
    lines evenly), which blurs the outer fringes as the model cannot follow: its best fit (least squares on the
    training points) leaves a residual, 72% above the noise. SGD with momentum, whose steps grow with the large
    intensity changes, travels the fit's way (4.1, 1.8 and 3.1 units) by 1,000 updates; Adam and RMSProp, whose steps
    of 1e-3 keep each parameter's pace, are still far at 2,000. The data (numpy seed 0): 5,000 points, the sine
    U(-0.03, 0.03), each intensity change plus N(0, 0.4^2) noise (-4.85155 to 4.13837); the first 1,000 for validation,
    4,000 for training (the same for every run seed); each point given as its sine. The model: the logarithms of the
    width, the separation and the peak (in units of 0.015) from 0 (the nominal slits, the same start on every seed).
    The loss and the metric are the mean squared error of the intensity change (0 or more): 1.78856 for a zero
    prediction (the start), 1.78568 for the validation mean, 0.157786 for the true model (the noise), 0.27199 for the
    model's best fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran
    on seeds 0 and 1 with other units, scales, noises and bandwidths, as the module's docstring says, then on this task
    as it is on seeds 0 and 1 (SGD with momentum 0.26929 and 0.26788, within 1% of it from 750 and 850 updates; Adam
    0.42673 and 0.43189 and RMSProp 0.3739 and 0.37466, still falling at 2,000). On the calibration seeds SGD with
    momentum at 1e-2 sets the target, 0.27035, its median best 0.26893 loosened by the spread of its bests (0.26827 to
    0.26995, at 1,050 to 1,750 updates), 71% above the noise and 0.6% below the model's floor (fitted on the training
    points; SGD's validation error gets a little below it): it gets below it on every seed within 850 to 1,200
    updates, at its floor; Adam at 1e-3 on none (bests 0.42524 to 0.43032, 1.6 times the target) and RMSProp at 1e-3
    on none (bests 0.37387 to 0.37599, 1.4 times), each at 2,000, still falling. SGD leads on every seed: after 500
    updates the validation error is 0.286 to 0.2899 for SGD, 1.159 to 1.169 for Adam and 1.127 to 1.132 for RMSProp;
    after 1,000, 0.269 to 0.2736, 0.7725 to 0.7826 and 0.687 to 0.6911 (1 to 2 s a run). The baseline's tuned rate is
    3e-2, the top of its grid (median best 0.26957, below the target on every seed within 350 to 700 updates; at 1e-2
    it misses it on three seeds)."""
    rows, held_out, batch, unit, scale = 5000, 1000, 64, 0.015, 0.022
    rng = np.random.default_rng(0)
    sine = rng.uniform(-0.03, 0.03, rows)
    # The slits as they are, lit by a source whose wavelengths spread 6% either side of the laser's, in units of 0.022
    # of the nominal peak.
    lines = _WAVELENGTH * (1 + _BANDWIDTH * np.linspace(-1, 1, _LINES))
    true = np.mean([_double_slit(sine, _TRUE_SLITS, line) for line in lines], 0)
    y = (true - _double_slit(sine, _NOMINAL_SLITS)) / scale + rng.normal(0, 0.4, rows)
    data = _rows(sine[held_out:, None], y[held_out:], sine[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_SLITS, jnp.float32)

    def init(key):
        del key
        return {"slits": jnp.zeros([3])}

    def loss(params, x, y):
        slits = nominal * jnp.exp(unit * params["slits"])
        fitted = _double_slit(x[:, 0], slits, xp=jnp) - _double_slit(x[:, 0], nominal, xp=jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "double-slit-diffraction",
        data,
        init,
        loss,
        "val MSE (intensity, units of 0.022 of the peak)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"a double slit's width and separation fitted to {rows - held_out} train / {held_out} val "
        f"intensities; batch {batch}",
    )


#: The nominal acid (the model's start): its three pKa and its concentration (mol / L).
_NOMINAL_ACID = (3.0, 4.9, 6.2, 0.019)

#: The acid as it is, citric acid's pKa, and its concentration.
_TRUE_ACID = (3.13, 4.76, 6.40, 0.02)

#: The acid's volume (mL) and the base's concentration (mol / L).
_ACID_VOLUME, _BASE = 25.0, 0.1


def _base_volume(ph, acid, xp=np):
    """The volume (mL) of base added to 25 mL of a triprotic acid at ``ph``, ``acid`` its pKa and concentration: the
    charge balance ``V_a (C_a nbar - h + Kw / h) / (C_b + h - Kw / h)``, ``h = 10^-pH``, ``nbar`` Bjerrum's formation
    function, the protons given up per molecule, ``(K1 h^2 + 2 K1 K2 h + 3 K1 K2 K3) / (h^3 + K1 h^2 + K1 K2 h + K1 K2
    K3)``."""
    h = 10.0 ** (-ph)
    k1, k2, k3 = 10.0 ** (-acid[0]), 10.0 ** (-acid[1]), 10.0 ** (-acid[2])
    given = k1 * h * h + 2 * k1 * k2 * h + 3 * k1 * k2 * k3
    formed = h * h * h + k1 * h * h + k1 * k2 * h + k1 * k2 * k3
    hydroxide = 1e-14 / h
    return _ACID_VOLUME * (acid[3] * given / formed - h + hydroxide) / (_BASE + h - hydroxide)


def triprotic_titration(*, quick: bool = False) -> Task:
    """Fit a triprotic acid's pKa and concentration to its titration curve, the squared error of the volume of base
    added, batch 64 points of the curve.

    A held-out-49 task, the potentiometric titration of a polyprotic acid (Bjerrum 1941, "Metal ammine formation in
    aqueous solution"; Harris, "Quantitative Chemical Analysis"): 25 mL of an acid of concentration ``C_a`` and
    dissociation constants ``K1``, ``K2`` and ``K3`` at pH ``-log h`` needs ``V_a (C_a nbar - h + Kw / h) / (C_b + h -
    Kw / h)`` of 0.1 mol / L base, the charge balance, ``nbar`` Bjerrum's formation function, the protons given up per
    molecule, ``(K1 h^2 + 2 K1 K2 h + 3 K1 K2 K3) / (h^3 + K1 h^2 + K1 K2 h + K1 K2 K3)``, so that each pKa reaches the
    readings through a ratio of cubics in ``h`` whose terms overlap where the pKa are close. Each reading is the volume
    (in units of 0.25 mL) less the nominal acid's (pKa 3, 4.9 and 6.2, 0.019 mol / L), so that the start predicts no
    change. The acid as it is (citric acid's pKa 3.13, 4.76 and 6.4, 0.02 mol / L) is also read through a pH meter
    whose slope is 2% short (the true pH ``7 + 1.02 (pH - 7)``), which the model cannot follow: its best fit (least
    squares on the training points) leaves a residual, 57% above the noise. SGD with momentum, whose steps grow with
    the large volume changes, travels the fit's way (4.4, 1.9, 4.3 and 1.1 units) by 1,000 updates; Adam and RMSProp,
    whose steps of 1e-3 keep each parameter's pace, are still far at 2,000. The data (numpy seed 0): 5,000 points, the
    pH U(2.8, 8), each volume change plus N(0, 0.08^2) noise (-2.33822 to 3.03567); the first 1,000 for validation,
    4,000 for training (the same for every run seed); each point given as its pH. The model: the three pKa themselves
    and the concentration's logarithm (in units of 0.05) from 0 (the nominal acid, the same start on every seed). The
    loss and the metric are the mean squared error of the volume change (0 or more): 2.73988 for a zero prediction
    (the start), 1.83274 for the validation mean, 0.00631145 for the true model (the noise), 0.00990377 for the
    model's best fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates
    ran on seeds 0 and 1 with other units, scales, noises and misfits, as the module's docstring says, then on this
    task as it is on seeds 0 and 1 (SGD with momentum 0.0098895 on both, within 1% of it from 1,100 updates; Adam
    0.50261 and 0.50308 and RMSProp 0.43289 and 0.43422, still falling at 2,000). On the calibration seeds SGD with
    momentum at 1e-2 sets the target, 0.0098992, its median best 0.0098959 loosened by the spread of its bests
    (0.0098941 to 0.0098982, at 1,250 to 1,850 updates), 57% above the noise and 0.05% below the model's floor (fitted
    on the training points): it gets below it on every seed within 1,250 to 1,450 updates, at its floor; Adam at 1e-3
    on none (bests 0.50094 to 0.50479, 51 times the target) and RMSProp at 1e-3 on none (bests 0.43258 to 0.43516, 44
    times), each at 2,000, still falling. SGD leads on every seed: after 500 updates the validation error is 0.0169 to
    0.01757 for SGD, 1.228 to 1.234 for Adam and 1.113 to 1.117 for RMSProp; after 1,000, 0.009981 to 0.01001, 0.8901
    to 0.8943 and 0.8239 to 0.8279 (1 to 2 s a run). The baseline's tuned rate is 1e-2, inside its grid (median best
    0.0098952, below the target on every seed within 1,650 to 2,000 updates, late; at 3e-2 it misses it on one
    seed)."""
    rows, held_out, batch, unit, scale = 5000, 1000, 64, 0.05, 0.25
    rng = np.random.default_rng(0)
    ph = rng.uniform(2.8, 8.0, rows)
    # The acid as it is, read through a pH meter whose slope is 2% short (the true pH 7 + 1.02 (pH - 7)), in units of
    # 0.25 mL.
    y = (_base_volume(7 + 1.02 * (ph - 7), _TRUE_ACID) - _base_volume(ph, _NOMINAL_ACID)) / scale
    y = y + rng.normal(0, 0.08, rows)
    data = _rows(ph[held_out:, None], y[held_out:], ph[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_ACID, jnp.float32)
    logs = jnp.asarray([0, 0, 0, 1], jnp.float32)

    def init(key):
        del key
        return {"acid": jnp.zeros([4])}

    def loss(params, x, y):
        c = unit * params["acid"]
        acid = logs * nominal * jnp.exp(c) + (1 - logs) * (nominal + c)
        fitted = _base_volume(x[:, 0], acid, jnp) - _base_volume(x[:, 0], nominal, jnp)
        return jnp.mean((fitted / scale - y) ** 2)

    return _fitted(
        "triprotic-titration",
        data,
        init,
        loss,
        "val MSE (base volume, units of 0.25 mL)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"an acid's pKa and concentration fitted to {rows - held_out} train / {held_out} val titration "
        f"points; batch {batch}",
    )


SPLIT = "held-out-49"
TASKS: dict[str, Callable[..., Task]] = {
    "prism-sellmeier": prism_sellmeier,
    "double-slit-diffraction": double_slit_diffraction,
    "triprotic-titration": triprotic_titration,
}
