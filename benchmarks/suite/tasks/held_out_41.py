"""The *held-out-41* tasks, added in round 58 for a later round, are kept aside from every design, the held-out-40
tasks' included, and run once (``--split held-out-41``) with the defaults frozen. Before these three, other versions ran
with the fixed candidates on seed 0 (some on seed 1) and were dropped: a click-through logit of online advertising
(advertisers', sites' and hours' effects on the clicks of 20,000 to 40,000 impressions, the Bernoulli log loss) in five
versions (Adam and RMSProp within 0.7% of each other, each still falling at 2,000, RMSProp the lower with advertisers
equally frequent); Nelson-Siegel yield curves of 8 to 40 dates at 16 fixed maturities, decay 0.15 to 0.6 (SGD with
momentum the lowest, still falling at 2,000, Adam and RMSProp 20 to 200 times as high), of 4 to 6 markets with the decay
learned from 1 (SGD the lowest, but it and the baseline stuck in the decay's valley, 10% to 25% above the noise) and of
3 to 4 markets with noise 0.2 to 0.3 or decay 1 (SGD within 1% of its best from 900 updates, at the noise, or from 1,150
with the baseline no lower); the modified Arrhenius laws with log rates and activation temperatures of 0.5 to 1.5
(thousand kelvin), exponents up to 1 or 2.5 and temperatures of 300 to 500 K (RMSProp the lowest, SGD 3% to 35% above
it, or RMSProp still falling at 2,000), of 0.2 to 0.8 (RMSProp within 1% of its best from 1,200 updates but Adam within
16% of it) or of 0.3 to 1.1 (from 1,650), and of 30 reactions (from 1,900); and the clock offsets of 2,000 to 10,000
clocks of scale 0.035 to 0.15 (RMSProp within 3% to 5% of Adam, or below it, with the smaller offsets; Adam the lowest
but within 1% of its best only from 1,650 to 2,000, or still falling, with the larger). Yield curves of 20 days had been
tried, and dropped, for held-out-39 (its module says so). Two calibrations (--calibrate, seeds 100-104) and two baseline
tunings ran; the first's yield-curve runs (4 markets, the decay learned from 1, its truth 0.5) were discarded, their
target and rate not kept, and replaced by the runs of ``--tasks nelson-siegel-yield-curves`` on the task as it is: SGD
with momentum set that target, 0.028395, within 1,350 to 2,000 updates, but the baseline, at 3e-2, missed it on every
seed (bests 0.03093 to 0.031113). The cost of the tasks as they are: the yield curves' target is reached late, and
RMSProp reaches the rate constants' target, at the noise, on four seeds of five (see each). Each run 0.4 to 0.9 s on the
2 cores shared with another job."""

from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def nelson_siegel_yield_curves(*, quick: bool = False) -> Task:
    """Fit the Nelson-Siegel yield curves of several bond markets (each market's level, slope and curvature) to the
    yields of their bonds, the squared error, batch 64 bonds.

    A held-out-41 task, the term structure of interest rates (Nelson and Siegel 1987, "Parsimonious modeling of yield
    curves"; Diebold and Li 2006, "Forecasting the term structure of government bond yields", whose fixed decay it
    takes): a bond of maturity ``t`` yields ``b0 + b1 (1 - exp(-l t)) / (l t) + b2 ((1 - exp(-l t)) / (l t) - exp(-l
    t))``, a level, a slope and a curvature on loadings that decay at the rate ``l``; the loadings of the long bonds,
    nearly proportional, make the slope and the curvature the hard ones. The data (numpy seed 0): 4 markets, each level
    U(3, 6), slope U(-3, 0) and curvature U(-1, 1) (yields in percent); ``l`` 0.73 a year (Diebold and Li's 0.0609 a
    month); 2,000 bonds, each in a market drawn uniformly, its maturity log-uniform from 3 months to 30 years, its yield
    plus N(0, 0.15^2) noise; the first 400 bonds for validation, 1,600 for training (the same for every run seed); each
    bond given as its market and its two loadings. The model: each market's level, slope and curvature from 0 (the same
    start on every seed). The loss and the metric are the mean squared error of the yield (0 or more): 12.0996 for a
    zero yield (the start), 0.86765 for the validation mean, 0.025615 for the true curves (the noise). Budget 2,000
    updates, evaluated every 50. Before calibration, the fixed candidates ran on seed 0 (some on seed 1) with other
    curves, as the module's docstring says, then on this task as it is on seeds 0 and 1 (SGD with momentum 0.027096 and
    0.02718, within 1% of it from 1,700 and 1,600 updates; RMSProp 1.1442 and 1.1452, Adam 1.9469 and 1.9583, each still
    falling at 2,000). On the calibration seeds SGD with momentum at 1e-2 sets the target, 0.027257, its median best
    0.027137 loosened by the spread of its bests (0.027109 to 0.027249, at 1,650 to 2,000 updates), 6% above the noise:
    it gets below it on every seed within 1,650 to 2,000 updates (median 1,900), late: SGD still creeping down the
    slope's and curvature's direction at 2,000; Adam at 1e-3 on none (bests 1.9429 to 1.9586) and RMSProp at 1e-3 on
    none (bests 1.142 to 1.1488), each at 2,000, still falling, held back by the step their rates allow (levels of 3 to
    6, thousands of steps of 1e-3 away). SGD leads from 50 updates on, on every seed: after 100 updates the validation
    error is 0.2095 to 0.2186 for SGD, 10.98 to 10.99 for RMSProp and 11.08 for Adam; after 1,000, 0.02795 to 0.02841,
    4.214 to 4.223 and 4.844 to 4.856 (0.5 to 0.9 s a run). The baseline's tuned rate is 3e-2, the top of its grid
    (median best 0.026078, below the target on every seed within 1,150 to 1,300 updates)."""
    markets, bonds, held_out, batch = 4, 2000, 400, 64
    rng = np.random.default_rng(0)
    level = rng.uniform(3, 6, markets)
    slope = rng.uniform(-3, 0, markets)
    curvature = rng.uniform(-1, 1, markets)
    market = rng.integers(0, markets, bonds)
    maturity = np.exp(rng.uniform(np.log(0.25), np.log(30), bonds))
    decayed = 0.73 * maturity
    slope_loading = -np.expm1(-decayed) / decayed
    curvature_loading = slope_loading - np.exp(-decayed)
    y = level[market] + slope[market] * slope_loading + curvature[market] * curvature_loading
    y = y + rng.normal(0, 0.15, bonds)
    x = np.stack([market, slope_loading, curvature_loading], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return {"factors": jnp.zeros([markets, 3])}

    def loss(params, x, y):
        factors = params["factors"][x[:, 0].astype(jnp.int32)]
        predicted = factors[:, 0] + factors[:, 1] * x[:, 1] + factors[:, 2] * x[:, 2]
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "nelson-siegel-yield-curves",
        data,
        init,
        loss,
        "val MSE (yield, %)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"Nelson-Siegel yield curves of {markets} bond markets, {bonds - held_out} train / "
        f"{held_out} val bonds; batch {batch}",
    )


def modified_arrhenius_rates(*, quick: bool = False) -> Task:
    """Fit the modified Arrhenius laws of several reactions (each one's log rate, activation temperature and temperature
    exponent) to their measured rate constants, the squared error of the log rate constant, batch 64 measurements.

    A held-out-41 task, the temperature dependence of chemical kinetics (Arrhenius 1889; the modified form ``k = A T^n
    exp(-E / (R T))`` of Kooij 1893, in which combustion and atmospheric mechanisms state their rates): ``log k = log A
    + n log T - (E / R) / T``, linear in the log rate, the exponent ``n`` and the activation temperature ``E / R``,
    whose two temperature terms are nearly collinear over a narrow range of temperatures, so that the direction that
    tells them apart, of small scale, is the hard one. The data (numpy seed 0): 12 reactions, each with a log rate (at
    the mean inverse temperature and 400 K) U(0.3, 1), an activation temperature U(0.3, 1) thousand kelvin and an
    exponent U(0, 0.7); 1,500 measurements, each of a reaction drawn uniformly at a temperature U(330, 430) K, its log
    rate constant plus N(0, 0.02^2) noise; the first 300 for validation, 1,200 for training (the same for every run
    seed); each measurement given as its reaction, 1,000 K over its temperature less the mean of that (-0.33 to 0.37)
    and the logarithm of its temperature over 400 K (-0.19 to 0.07; the two correlated at -0.9994). The model: each
    reaction's log rate, activation temperature and exponent from 0 (the same start on every seed). The loss and the
    metric are the mean squared error of the log rate constant (0 or more): 0.5104 for a zero log rate (the start),
    0.08074 for the validation mean, 0.0003673 for the true laws (the noise). Budget 2,000 updates, evaluated every 50.
    Before calibration, the fixed candidates ran on seed 0 (some on seed 1) with other laws, as the module's docstring
    says, then on this task as it is on seeds 0 and 1 (RMSProp 0.00036412 and 0.00037031, within 1% of it from 1,700 and
    1,500 updates; Adam 0.0011292 and 0.0011256 and SGD with momentum 0.0017833 and 0.001799, each still falling at
    2,000). On the calibration seeds RMSProp at 1e-3 sets the target, 0.00036907, its median best 0.00036215 loosened by
    the spread of its bests (0.00036026 to 0.00036923, at 1,500 to 1,800 updates, at the noise): it gets below it on
    four seeds of five within 1,450 to 1,500 updates (median 1,500), not on seed 100 (best 0.00036923, at 1,550, a hair
    above it); Adam at 1e-3 on none (bests 0.0010984 to 0.0012144) and SGD with momentum at 1e-2 on none (bests 0.001719
    to 0.0017947), each at 2,000, still falling. SGD leads from 50 to 850 updates, SGD or RMSProp at 900, RMSProp from
    950 on, on every seed: after 100 updates the validation error is 0.0412 to 0.04258 for SGD, 0.3832 to 0.3841 for
    RMSProp and 0.3939 to 0.3949 for Adam; after 1,000, 0.006313 to 0.006444, 0.003569 to 0.003694 and 0.02637 to
    0.02744 (0.4 to 0.7 s a run): SGD is slowed by the small direction that tells the two temperature terms apart, Adam
    by its second moment's memory of the large gradients of the start, while RMSProp's short memory keeps its steps at
    its rate. The baseline's tuned rate is 3e-2, the top of its grid (median best 0.00036212, below the target on every
    seed within 200 to 600 updates)."""
    reactions, measurements, held_out, batch = 12, 1500, 300, 64
    rng = np.random.default_rng(0)
    log_prefactor = rng.uniform(0.3, 1.0, reactions)
    activation = rng.uniform(0.3, 1.0, reactions)
    exponent = rng.uniform(0, 0.7, reactions)
    reaction = rng.integers(0, reactions, measurements)
    temperature = rng.uniform(330, 430, measurements)
    inverse = 1000 / temperature - np.mean(1000 / temperature)
    log_temperature = np.log(temperature / 400)
    y = log_prefactor[reaction] - activation[reaction] * inverse + exponent[reaction] * log_temperature
    y = y + rng.normal(0, 0.02, measurements)
    x = np.stack([reaction, inverse, log_temperature], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return {
            "log_prefactor": jnp.zeros([reactions]),
            "activation": jnp.zeros([reactions]),
            "exponent": jnp.zeros([reactions]),
        }

    def loss(params, x, y):
        r = x[:, 0].astype(jnp.int32)
        predicted = params["log_prefactor"][r] - params["activation"][r] * x[:, 1] + params["exponent"][r] * x[:, 2]
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "modified-arrhenius-rates",
        data,
        init,
        loss,
        "val MSE (log rate constant)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"modified Arrhenius laws of {reactions} reactions, {measurements - held_out} train / {held_out} "
        f"val rate constants; batch {batch}",
    )


def clock_offset_synchronization(*, quick: bool = False) -> Task:
    """Fit the offsets of the clocks of a network to the offsets that pairs of them measured between each other, the
    squared error, batch 64 exchanges.

    A held-out-41 task, the clock synchronization of sensor networks (Elson, Girod and Estrin 2002, "Fine-grained
    network time synchronization using reference broadcasts"; Karp, Elson, Papadimitriou and Shenker 2003, "Global
    synchronization in sensornets", whose least squares over the graph of exchanges it fits): an exchange between two
    clocks measures the receiver's offset less the sender's, ``y = o_j - o_i`` plus noise, and the offsets are the least
    squares solution over all the exchanges (up to a common shift, which no exchange sees); the clocks are many and each
    in few exchanges, so that each clock's offset is seen in few batches. The data (numpy seed 0): 5,000 clocks, each
    offset N(0, 0.06^2) ms; 50,000 exchanges, each from a sender drawn uniformly to a receiver drawn uniformly among the
    others, its measured offset plus N(0, 0.03^2) noise; the first 10,000 for validation, 40,000 for training (16 a
    clock on average, 4 or more; the same for every run seed); each exchange given as its sender and its receiver. The
    model: the offsets from 0 (the same start on every seed). The loss and the metric are the mean squared error of the
    measured offset (0 or more): 0.0080396 for no offsets (the start), 0.0080387 for the validation mean, 0.00088804 for
    the true offsets (the noise). Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran
    on seed 0 (some on seed 1) with other networks, as the module's docstring says, then on this task as it is on seeds
    0 and 1 (Adam 0.001163 and 0.0011673, within 1% of it from 1,600 and 1,700 updates; RMSProp 0.0013156 and 0.0013171
    and SGD with momentum 0.0061168 and 0.0061167, each still falling at 2,000). On the calibration seeds Adam at 1e-3
    sets the target, 0.0011779, its median best 0.0011658 loosened by the spread of its bests (0.0011602 to 0.0011755,
    at 1,750 to 2,000 updates), 31% above the noise (the offsets' own error, from 16 exchanges a clock): it gets below
    it on every seed within 1,650 to 1,850 updates (median 1,750); RMSProp at 1e-3 on none (bests 0.0013081 to
    0.0013356) and SGD with momentum at 1e-2 on none (bests 0.0061169 to 0.0061262), each at 2,000, still falling. Adam
    leads from 50 updates on, on every seed: after 100 updates the validation error is 0.006679 to 0.006709 for Adam,
    0.007177 to 0.007187 for RMSProp and 0.007934 to 0.007938 for SGD; after 1,000, 0.001438 to 0.001492, 0.002552 to
    0.002612 and 0.006992 to 0.007002 (0.4 to 0.5 s a run): a clock's offset moves only in the batches that hold one of
    its exchanges (one in forty), by more per batch under Adam, whose second moment averages over the batches without
    it, than under RMSProp, whose short memory forgets them, and SGD, whose step is that exchange's share of the batch's
    mean. The baseline's tuned rate is 3e-3, inside its grid (median best 0.0010922, below the target on every seed
    within 1,450 to 1,550 updates)."""
    clocks, exchanges, held_out, batch = 5000, 50000, 10000, 64
    rng = np.random.default_rng(0)
    offset = rng.normal(0, 0.06, clocks)
    sender = rng.integers(0, clocks, exchanges)
    receiver = (sender + rng.integers(1, clocks, exchanges)) % clocks
    y = offset[receiver] - offset[sender] + rng.normal(0, 0.03, exchanges)
    x = np.stack([sender, receiver], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return {"offset": jnp.zeros([clocks])}

    def loss(params, x, y):
        predicted = params["offset"][x[:, 1].astype(jnp.int32)] - params["offset"][x[:, 0].astype(jnp.int32)]
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "clock-offset-synchronization",
        data,
        init,
        loss,
        "val MSE (offset, ms)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"offsets of {clocks} clocks from pairwise exchanges, {exchanges - held_out} train / {held_out} "
        f"val exchanges; batch {batch}",
    )


SPLIT = "held-out-41"
TASKS: dict[str, Callable[..., Task]] = {
    "nelson-siegel-yield-curves": nelson_siegel_yield_curves,
    "modified-arrhenius-rates": modified_arrhenius_rates,
    "clock-offset-synchronization": clock_offset_synchronization,
}
