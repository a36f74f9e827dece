"""The *held-out-49* tasks, added in round 66, are kept aside from every design, the held-out-48 tasks' included, and
run once (``--split held-out-49``) with the defaults frozen. Their structures are new to the suite: refraction through a
prism of a dispersive glass (Snell's law twice, nested arcsines, at each wavelength the index of Sellmeier's dispersion
formula, a sum of poles in the wavelength squared), Fraunhofer diffraction by a double slit (a sinc-squared envelope of
the slits' width times the squared cosine of their separation's fringes, under a source of finite bandwidth), and
water's vapour pressure by Wagner's equation (an expansion in fractional powers of the distance to the critical point,
inside an exponential, whose nearly collinear coefficients trade off along a narrow valley).
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
their size as the gradients shrink, reaches the floor first. The split was first calibrated (--calibrate, seeds
100-104) and its baseline tuned with a third task in place of the water, a triprotic acid's titration (Bjerrum's
formation function, a ratio of cubics in the hydrogen ion's concentration, inside the charge balance; the three pKa and
the concentration's logarithm in units of 0.05, the volume of base in units of 0.25 mL, read through a pH meter 2%
short in slope), whose target SGD with momentum set (0.0098992, at its floor), so that Adam set none of the three. The
titration, the closest of the three to a task already in the suite (a Hill dose-response curve) and the second that
SGD set, was then replaced, after that calibration and before any selector ran on the split, to get a task Adam sets.
Before the water as it is, Wagner's equation ran with the fixed candidates on seeds 0 and 1 in 25 other versions,
dropped: the coefficients in units of 0.1, the pressures in units of 0.01 MPa and a nominal water of the four-term fit
times 1.01, 0.9, 1.1 and 0.8 (the fit 1 to 6 units away; SGD, its steps grown with the large pressures, first, 9% above
the floor at 2,000, Adam 20 times it); in MPa, in units of 0.3, the four-term fit times 1.01, 0.9, 1.1 and 0.9 (the
start 3,700 times the floor; RMSProp 1.4 times the floor at 2,000, Adam, whose second moment remembers the steep early
gradients, 9 times); nominal waters moved along the valley's second direction (the start 100 to 2,000 times the floor;
RMSProp at the floor first, its best within 2% of Adam's or below it); and nominal waters moved along its softest
direction by 0.2 to 1.4 in the coefficients, in units of 0.5 to 3, with noises of 0.001 to 0.0015 MPa (Adam first from
the start, but at its best only at 1,700 to 2,000 updates where the way was long; RMSProp's best, a low swing of its
jitter, level with Adam's or within 4% of it in units of 2 and 3; RMSProp 9% to 41% above Adam's best where the way was
short, Adam within 1% of its best from 950 to 1,750 updates; the version kept the one with RMSProp well above and Adam
soonest at its best). The calibration and the baseline's tuning then ran a second time, on the whole split, the tasks as
they are: the prism's and the slits' targets and the baseline's rates for them came out the same as at the first (their
runs the same but for their times). So Adam at 1e-3 sets one target (the water's), SGD with momentum one (the slits')
and RMSProp one (the prism's). The cost of the tasks as they are: the three targets are within 2.1% of their model's
floor (RMSProp's for the prism 2.1% above it; SGD's for the slits at it, fitted on the training rows; Adam's for the
water 1.3% above it, reached on dips of its jitter); the baseline's tuned rate is 3e-3 (the prism), inside its grid, and
3e-2, the top, for the slits and the water. Each run 1 to 3 s on the 2 cores shared with other jobs."""

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


#: Water's critical temperature (K) and pressure (MPa).
_CRITICAL_TEMPERATURE, _CRITICAL_PRESSURE = 647.096, 22.064

#: Water as it is: Wagner and Pruss's six coefficients of its vapour pressure (IAPWS), and their exponents of ``tau``.
_IAPWS_WATER = (-7.85951783, 1.84408259, -11.7866497, 22.6807411, -15.9618719, 1.80122502)
_IAPWS_EXPONENTS = (1.0, 1.5, 3.0, 3.5, 4.0, 7.5)

#: The nominal water (the model's start): the four coefficients of Wagner's equation in its 3-6 form, and their
#: exponents of ``tau``.
_NOMINAL_WATER = (-7.8025, 1.5527, -2.9978, 2.2143)
_WAGNER_EXPONENTS = (1.0, 1.5, 3.0, 6.0)


def _vapour_pressure(temperature, coefficients, exponents=_WAGNER_EXPONENTS, xp=np):
    """Water's vapour pressure (MPa) at ``temperature`` (K) by Wagner's equation, ``ln(p / pc) = (Tc / T) sum a_i
    tau^e_i``, ``tau = 1 - T / Tc``, ``coefficients`` the ``a_i`` and ``exponents`` the ``e_i``."""
    tau = 1 - temperature / _CRITICAL_TEMPERATURE
    expansion = sum(a * tau**e for a, e in zip(coefficients, exponents, strict=True))
    return _CRITICAL_PRESSURE * xp.exp(_CRITICAL_TEMPERATURE / temperature * expansion)


def wagner_vapour_pressure(*, quick: bool = False) -> Task:
    """Fit the four coefficients of Wagner's vapour-pressure equation to water's vapour pressures, the squared error of
    the pressure, batch 64 temperatures.

    A held-out-49 task, the correlation of a fluid's vapour pressure (Wagner 1973, "New vapour pressure measurements for
    argon and nitrogen and a new method for establishing rational vapour pressure equations"; Wagner and Pruss 1993,
    "International equations for the saturation properties of ordinary water substance", the IAPWS form): at temperature
    ``T`` water's vapour pressure is ``ln(p / pc) = (Tc / T)(a1 tau + a2 tau^1.5 + a3 tau^3 + a4 tau^6)``, ``tau = 1 - T
    / Tc`` (``Tc`` 647.096 K, ``pc`` 22.064 MPa), Wagner's equation in its 3-6 form, an expansion in fractional powers
    of the distance to the critical point inside an exponential, so that each coefficient reaches the readings through
    the same exponential and the four powers of ``tau``, nearly collinear over the range, trade off along a narrow
    curved valley (mostly ``a3`` against ``a1`` and ``a2``). Each reading is the pressure (MPa) less the nominal water's
    (coefficients -7.8025, 1.5527, -2.9978 and 2.2143, the four-term fit moved along the valley), so that the start
    predicts no change. The water as it is follows Wagner and Pruss's six-term equation (coefficients -7.85951783,
    1.84408259, -11.7866497, 22.6807411, -15.9618719 and 1.80122502 of ``tau``, ``tau^1.5``, ``tau^3``, ``tau^3.5``,
    ``tau^4`` and ``tau^7.5``), which the four terms cannot follow: its best fit (least squares on the training
    temperatures) leaves a residual, 53% above the noise. Adam, whose momentum carries its steps along the valley,
    reaches the fit; RMSProp, without momentum, jitters across the valley and is still on its way at 2,000, and SGD,
    whose steps are the small pressures' gradients, barely moves along it. The data (numpy seed 0): 5,000 temperatures
    U(300, 620) K, each pressure change plus N(0, 0.001^2) noise (-0.00594224 to 0.00620509); the first 1,000 for
    validation, 4,000 for training (the same for every run seed); each reading given as its temperature. The model: the
    four coefficients themselves (in units of 0.8) from 0 (the nominal water, the same start on every seed). The loss
    and the metric are the mean squared error of the pressure change (0 or more): 5.63834e-06 for a zero prediction (the
    start), 4.75504e-06 for the validation mean, 9.86165e-07 for the true model (the noise), 1.50605e-06 for the model's
    best fit (its floor). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on
    seeds 0 and 1 with other units, scales, noises and nominal waters, as the module's docstring says, then on this task
    as it is on seeds 0 and 1 (Adam 1.5201e-06 and 1.5219e-06, within 1% of it from 1,250 and 1,150 updates; RMSProp
    1.9257e-06 and 1.9517e-06, jittering, and SGD with momentum 4.1262e-06 and 4.1104e-06, still falling at 2,000). On
    the calibration seeds Adam at 1e-3 sets the target, 1.5256e-06, its median best 1.5211e-06 loosened by the spread of
    its bests (1.5199e-06 to 1.5248e-06, at 1,450 to 1,900 updates), 55% above the noise and 1.3% above the model's
    floor: it gets below it on every seed within 1,400 to 1,550 updates, still improving along the valley at 1,000 (its
    error then 1.551e-06 to 1.839e-06), its later evaluations jittering about the target (their median 0.1% to 5% above
    it, the highest 3.5% to 23% above its best); RMSProp at 1e-3 on none (bests 1.9002e-06 to 1.9418e-06, 1.25 to 1.27
    times the target, jittering, at 1,950 to 2,000 updates) and SGD with momentum at 1e-2 on none (bests 4.1048e-06 to
    4.1148e-06, 2.7 times, at 2,000, still falling). Adam leads from 50 updates on, on every seed: after 500 updates the
    validation error is 1.8e-06 to 1.986e-06 for Adam, 2.931e-06 to 3.765e-06 for RMSProp and 5.007e-06 to 5.018e-06 for
    SGD; after 1,000, 1.551e-06 to 1.839e-06, 2.42e-06 to 2.725e-06 and 4.578e-06 to 4.598e-06 (1 to 2 s a run). The
    baseline's tuned rate is 3e-2, the top of its grid (median best 1.5084e-06, below the target on every seed within
    600 to 800 updates; at 1e-2 its median best is 1.5088e-06, below the target on every seed within 450 to 1,300)."""
    rows, held_out, batch, unit, noise = 5000, 1000, 64, 0.8, 0.001
    rng = np.random.default_rng(0)
    temperature = rng.uniform(300.0, 620.0, rows)
    # Water as it is, by Wagner and Pruss's six-term equation, less the nominal water's four-term one, in MPa.
    true = _vapour_pressure(temperature, _IAPWS_WATER, _IAPWS_EXPONENTS)
    y = true - _vapour_pressure(temperature, _NOMINAL_WATER) + rng.normal(0, noise, rows)
    data = _rows(temperature[held_out:, None], y[held_out:], temperature[:held_out, None], y[:held_out])
    nominal = jnp.asarray(_NOMINAL_WATER, jnp.float32)

    def init(key):
        del key
        return {"coefficients": jnp.zeros([4])}

    def loss(params, x, y):
        coefficients = nominal + unit * params["coefficients"]
        fitted = _vapour_pressure(x[:, 0], coefficients, xp=jnp) - _vapour_pressure(x[:, 0], nominal, xp=jnp)
        return jnp.mean((fitted - y) ** 2)

    return _fitted(
        "wagner-vapour-pressure",
        data,
        init,
        loss,
        "val MSE (vapour pressure, MPa)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"the coefficients of Wagner's equation fitted to {rows - held_out} train / {held_out} val "
        f"vapour pressures of water; batch {batch}",
    )


SPLIT = "held-out-49"
TASKS: dict[str, Callable[..., Task]] = {
    "prism-sellmeier": prism_sellmeier,
    "double-slit-diffraction": double_slit_diffraction,
    "wagner-vapour-pressure": wagner_vapour_pressure,
}
