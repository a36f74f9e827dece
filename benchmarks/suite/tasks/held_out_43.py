"""The *held-out-43* tasks, added in round 60 for a later round, are kept aside from every design, the held-out-42
tasks' included, and run once (``--split held-out-43``) with the defaults frozen. Before these three, other versions ran
with the fixed candidates on seeds 0 and 1 (some with only one or two of them) and were dropped: tree allometries of 5
species, or of 4, with the diameter's logarithm taken in centimetres (SGD with momentum the lowest, still falling at
2,000) or in tens of centimetres (SGD within 1% of its best from 500 updates, at the noise), and the first calibrated
version, exact power laws in units of 3 cm (SGD's target 0.5% above the noise, reached at 1,100 to 1,950 updates), then
power laws with a curvature of -0.06 (ln D)^2 in units of 1, 3 or 10 cm, over diameters of 5 to 80 or 2 to 150 cm, in
batches of 8 to 256 (SGD the lowest, within 1% of its best from 500 to 1,900 updates); Tafel lines of 6 electrodes at
log current densities of 0.05 to 0.25 (RMSProp the lowest, within 1% of its best from 700 updates) and the calibrated
Tafel lines of 8 electrodes (dropped: a per-group level and slope on a narrow positive input, as held-out-42's Ricker
laws, with RMSProp's target 2% above the noise); the aggregate shares of a 6-state Markov chain after 1 to 4 steps (Adam
the lowest), then with smaller transition logits (Adam reaching the noise only late) or with a share of stayers in each
state (the mover-stayer chain; Adam still falling at 2,000), tried in place of the group contributions; geometric
adstocks of 5 channels with other levels, effects, retentions, spends and noises, of 8 or 20 channels, or of 5 channels
in 16 markets (RMSProp the lowest but still falling at 2,000, or Adam and SGD closer), the second calibrated version,
linear adstocks with N(0, 0.002^2) noise (RMSProp's target 18% above the noise, reached late, at 1,800 to 2,000 updates,
on the floor of its own jitter), and saturating adstocks of half-saturation 0.03 to 0.3, noise 0.002 to 0.008, spends up
to 0.3, batches 64 to 256 (RMSProp's floor within 1% to 4% of the noise, or SGD within 10% to 15% of RMSProp); and group
contributions of 1,000 fragments of scale 0.5 (Adam the lowest, still falling at 2,000) or 300 of scale 0.5 (SGD the
lowest), of 3,000 or 1,500 of scale 0.1 (Adam the lowest, RMSProp within 2% to 25% of it), or of 2,000 or 4,000 of scale
0.06 (RMSProp within 1% to 8% of Adam). Three calibrations (--calibrate, seeds 100-104) and three baseline tunings ran:
the first on the first versions, with the Tafel lines and exact allometries, the second on the linear adstocks, then one
on the tasks as they are, after the adstocks were made to saturate (each one's files replace the one before's: the tasks
are rerun whole, and the allometries' and group contributions' targets and bests come out the same); nothing else was
discarded. The cost of the tasks as they are: RMSProp reaches the adstocks' target at 1,400 to 1,550 updates on four
seeds but at 2,000 on one, its validation error swinging around the floor it reaches from about 1,000; and Adam reaches
the group contributions' target late (1,950 to 2,000 updates), in a sparse additive model near held-out-42's
ubercalibration. Each run 0.3 to 1 s on the 2 cores shared with another job."""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def tree_biomass_allometry(*, quick: bool = False) -> Task:
    """Fit the allometric equations of several tree species (each one's level and exponent) to the trees' diameters
    and biomasses, the squared error of the log biomass, batch 64 trees.

    A held-out-43 task, forest biomass allometry (the power laws of tree biomass in the stem's diameter, as Chave
    et al. 2014 fit them, "Improved allometric models to estimate the aboveground biomass of tropical trees", whose
    pantropical equation also bends, -0.0299 (ln D)^2): a tree of species ``k`` and diameter ``D`` (cm) has the biomass
    ``B`` (kg) with ``ln B = a + b ln D - 0.06 (ln D)^2``, and the model is the plain power law of each species,
    ``ln B = level + exponent ln(D / 3 cm)``, without the bend: its best fit (least squares on the training trees)
    leaves the bend's residual, 9% above the noise, a floor that SGD reaches mid-budget, while the exponents, near 2.1,
    are thousands of steps of 1e-3 away. The data (numpy seed 0): 4 species, each with ``a`` U(-3, -2) and ``b``
    U(2.2, 2.6); 5,000 trees, each of a species drawn uniformly with ``D`` U(5, 80), its ``ln B`` plus N(0, 0.1^2)
    noise (biomasses of 2.1 to 2,264 kg); the first 1,000 for validation, 4,000 for training (the same for every run
    seed); each tree given as its species and ``ln(D / 3 cm)``. The model: each species' level and exponent from 0 (the
    same start on every seed). The loss and the metric are the mean squared error of ``ln B`` (0 or more): 31.0117 for a
    zero prediction (the start), 2.13172 for the validation mean, 0.0103712 for the true bent allometries (the noise),
    0.0112987 for the best power laws (the model's floor). Budget 2,000 updates, evaluated every 50. Before
    calibration, the fixed candidates ran on seeds 0 and 1 with other diameters' units, ranges, batches and species, as
    the module's docstring says, then on this task as it is on seeds 0 and 1 (SGD with momentum 0.011294 and 0.011306,
    within 1% of it from 1,000 and 850 updates; Adam 0.91126 and 0.91318 and RMSProp 0.10541 and 0.10477, still falling
    at 2,000). On the calibration seeds SGD with momentum at 1e-2 sets the target, 0.011325, its median best 0.011293
    loosened by the spread of its bests (0.011267 to 0.011307, at 1,200 to 1,950 updates), 9% above the noise and
    0.2% above the model's floor: it gets below it on every seed within 1,100 to 1,300 updates; Adam at 1e-3 on none
    (bests 0.89317 to 0.91287) and RMSProp at 1e-3 on none (bests 0.10417 to 0.10597), each at 2,000, still falling,
    held back by the step their rates allow. SGD leads from 50 updates on, on every seed: after 100 updates the
    validation error is 0.0254 to 0.0279 for SGD, 26.99 to 27.01 for RMSProp and 27.35 to 27.36 for Adam; after 500,
    0.01231 to 0.01251 for SGD; after 1,000, 0.01134 to 0.01183, 4.718 to 4.756 and 7.13 to 7.177 (0.3 to 0.9 s a
    run). The baseline's tuned rate is 3e-2, the top of its grid (median best 0.011291, below the target on every seed
    within 750 to 1,750 updates)."""
    species, trees, held_out, batch = 4, 5000, 1000, 64
    rng = np.random.default_rng(0)
    a = rng.uniform(-3.0, -2.0, species)
    b = rng.uniform(2.2, 2.6, species)
    kind = rng.integers(0, species, trees)
    diameter = rng.uniform(5, 80, trees)
    y = a[kind] + b[kind] * np.log(diameter) - 0.06 * np.log(diameter) ** 2 + rng.normal(0, 0.1, trees)
    x = np.stack([kind, np.log(diameter / 3)], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return {"level": jnp.zeros([species]), "exponent": jnp.zeros([species])}

    def loss(params, x, y):
        k = x[:, 0].astype(jnp.int32)
        predicted = params["level"][k] + params["exponent"][k] * x[:, 1]
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "tree-biomass-allometry",
        data,
        init,
        loss,
        "val MSE (log biomass)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"biomass allometry of {species} tree species, {trees - held_out} train / {held_out} val trees; "
        f"batch {batch}",
    )


def adstock_media_mix(*, quick: bool = False) -> Task:
    """Fit a media mix model (each channel's effect and the retention of its geometric adstock, and the base sales) to
    weekly sales and the spends of that week and the 11 before, the squared error of the sales, batch 64 weeks.

    A held-out-43 task, marketing mix modelling with advertising carry-over (Broadbent 1979, "One way TV advertisements
    work"; the geometric adstock of Koyck's distributed lags, as Jin et al. 2017 fit it, "Bayesian methods for media mix
    modeling with carryover and shape effects"): a week's sales are the base plus each channel's effect on its adstock,
    channel ``c``'s adstock ``A_c = sum_j retention_c^j spend_c(week - j)`` over the week and the 11 before, the
    retention the share of an advertisement's effect that lasts another week (here the logistic of a parameter). The
    data saturate, as Jin et al.'s shape effect does: each channel's response is ``effect_c A_c / (1 + A_c / 0.15)``;
    the model is linear in each adstock, ``base + sum_c effect_c A_c``, bilinear in each effect and its retention's
    powers, without the saturation: its best fit (least squares on the training weeks) leaves the saturation's
    residual, 10% above the noise, a floor that RMSProp reaches, while SGD is slowed by the small directions of the
    effects and retentions and Adam by its second moment's memory of the start's large gradients. The data (numpy seed
    0): 5 channels, each with ``effect`` U(0.1, 0.5) and ``retention`` U(0.35, 0.65), the base 0.3; 5,000 weeks, each
    with 12 weeks of spends U(0, 0.1) a channel, its sales plus N(0, 0.004^2) noise (0.348 to 0.406); the first 1,000
    for validation, 4,000 for training (the same for every run seed); each week given as its 60 spends, channel by
    channel, the latest first. The model: the base, the effects and the retentions' logits from 0 (a retention of 1/2
    on every seed). The loss and the metric are the mean squared error of the sales (0 or more): 0.144761 for a zero
    prediction (the start), 6.4188e-05 for the validation mean, 1.58897e-05 for the true saturating model (the noise),
    1.74354e-05 for the best linear adstocks (the model's floor). Budget 2,000 updates, evaluated every 50. Before
    calibration, the fixed candidates ran on seeds 0 and 1 with other channels, markets, effects, retentions, spends,
    saturations and noises, as the module's docstring says, then on this task as it is on seeds 0 and 1 (RMSProp
    1.78e-05 and 1.7814e-05, at 1,500 and 1,550 updates, within 1% of it from 1,100 and 1,300; SGD with momentum
    2.6802e-05 and 2.6791e-05 and Adam 0.00017385 and 0.00017325, still falling at 2,000). On the calibration seeds
    RMSProp at 1e-3 sets the target, 1.7858e-05, its median best 1.7823e-05 loosened by the spread of its bests
    (1.7811e-05 to 1.7855e-05, at 1,400 to 2,000 updates), 12% above the noise and 2.4% above the model's floor: it gets
    below it on every seed within 1,400 to 2,000 updates (1,400 to 1,550 on four seeds, 2,000 on one: from about 1,000
    its validation error swings between 1.78e-05 and 2.2e-05, the jitter its steps of 1e-3 leave, and it reaches the
    target on a low swing); Adam at 1e-3 on none (bests 0.00017271 to 0.00017352) and SGD with momentum at 1e-2 on none
    (bests 2.6473e-05 to 2.6823e-05), each at 2,000, still falling, 9.7 and 1.5 times the target. SGD leads from 50 to
    600 updates (it fits the base first), RMSProp from 650 on, on every seed: after 100 updates the validation error is
    3.844e-05 to 3.906e-05 for SGD, 0.04813 to 0.04819 for RMSProp and 0.05674 to 0.05682 for Adam; after 500, 3.4e-05
    to 3.433e-05, 6.124e-05 to 6.8e-05 and 0.0002362 to 0.000238; after 1,000, 3.093e-05 to 3.133e-05, 1.811e-05 to
    1.972e-05 and 0.0002112 to 0.0002125 (0.5 to 1 s a run): RMSProp's short memory keeps its steps at its rate. The
    baseline's tuned rate is 3e-2, the top of its grid (median best 1.7795e-05, below the target on every seed within
    1,650 to 1,800 updates)."""
    channels, lags, weeks, held_out, batch = 5, 12, 5000, 1000, 64
    half_saturation = 0.15
    rng = np.random.default_rng(0)
    base = 0.3
    effect = rng.uniform(0.1, 0.5, channels)
    retention = rng.uniform(0.35, 0.65, channels)
    spend = rng.uniform(0, 0.1, (weeks, channels, lags))
    adstock = np.einsum("cj,wcj->wc", retention[:, None] ** np.arange(lags), spend)
    y = base + (adstock / (1 + adstock / half_saturation)) @ effect
    y = y + rng.normal(0, 0.004, weeks)
    x = spend.reshape(weeks, channels * lags)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return {"base": jnp.zeros([]), "effect": jnp.zeros([channels]), "retention": jnp.zeros([channels])}

    def loss(params, x, y):
        carryover = jax.nn.sigmoid(params["retention"])[:, None] ** jnp.arange(lags)
        adstock = jnp.einsum("cj,wcj->wc", carryover, x.reshape(-1, channels, lags))
        predicted = params["base"] + adstock @ params["effect"]
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "adstock-media-mix",
        data,
        init,
        loss,
        "val MSE (weekly sales)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"geometric adstock of {channels} media channels over {lags} weeks, {weeks - held_out} train / "
        f"{held_out} val weeks; batch {batch}",
    )


def group_contribution_logp(*, quick: bool = False) -> Task:
    """Fit the contributions of the fragments of a library to the measured partition coefficients of the molecules
    built from them, the squared error of log P, batch 64 molecules.

    A held-out-43 task, the group contribution method of chemistry (Free and Wilson 1964, "A mathematical
    contribution to structure-activity studies"; the fragment constants of Rekker and of Leo and Hansch for the
    octanol-water partition coefficient): a molecule's ``log P`` is the sum of its fragments' contributions, here the
    corrections to their tabulated values; the fragments are many, a few common and most rare (drawn with probability
    falling as the inverse square root of their rank), so that each rare fragment's contribution is seen in few
    batches. The data (numpy seed 0): 6,000 fragments, each contribution N(0, 0.06^2); 40,000 molecules, each of 3
    fragments drawn with probability proportional to ``rank^-0.5``, its ``log P`` their sum plus N(0, 0.02^2) noise; the
    first 8,000 for validation, 32,000 for training (the same for every run seed; 16 a fragment on average in training,
    12 the median, 621 the most, one fragment in none, in one validation molecule); each molecule given as its 3
    fragments. The model: the contributions from 0 (the same start on every seed). The loss and the metric are the mean
    squared error of ``log P`` (0 or more): 0.0110724 for a zero prediction (the start), 0.0110715 for the validation
    mean, 0.00040268 for the true contributions (the noise). Budget 2,000 updates, evaluated every 50. Before
    calibration, the fixed candidates ran on seeds 0 and 1 with other libraries, as the module's docstring says, then on
    this task as it is on seeds 0 and 1 (Adam 0.00063719 and 0.00064535, within 1% of it from 1,950 and 1,900 updates;
    RMSProp 0.0009788 and 0.00097696 and SGD 0.0069052 and 0.0069049, still falling at 2,000). On the calibration seeds
    Adam at 1e-3 sets the target, 0.00063954, its median best 0.00063297 loosened by the spread of its bests
    (0.00063153 to 0.00063916, at 2,000 updates), 59% above the noise (the rare fragments' own error): it gets below it
    on every seed within 1,950 to 2,000 updates, late: Adam still creeping down at 2,000; RMSProp at 1e-3 on none (bests
    0.00095774 to 0.00098191) and SGD with momentum at 1e-2 on none (bests 0.0069054 to 0.0069345), each at 2,000,
    still falling. Adam leads from 50 updates on, on every seed: after 100 updates the validation error is 0.008604 to
    0.008713 for Adam, 0.009244 to 0.009328 for RMSProp and 0.01075 to 0.01076 for SGD; after 1,000, 0.001201 to
    0.001241, 0.002563 to 0.002596 and 0.008476 to 0.008512 (0.4 to 1 s a run): a rare fragment's contribution moves
    only in the batches that hold it, by more per batch under Adam, whose second moment averages over the batches
    without it, than under RMSProp, whose short memory forgets them, and SGD, whose step is that molecule's share of
    the batch's mean. The baseline's tuned rate is 3e-3, inside its grid (median best 0.00055336, below the target on
    every seed within 1,350 to 1,400 updates)."""
    fragments, per_molecule, molecules, held_out, batch = 6000, 3, 40000, 8000, 64
    rng = np.random.default_rng(0)
    contribution = rng.normal(0, 0.06, fragments)
    frequency = 1 / np.arange(1, fragments + 1) ** 0.5
    fragment = rng.choice(fragments, size=(molecules, per_molecule), p=frequency / frequency.sum())
    y = contribution[fragment].sum(1) + rng.normal(0, 0.02, molecules)
    data = _rows(fragment[held_out:], y[held_out:], fragment[:held_out], y[:held_out])

    def init(key):
        del key
        return {"contribution": jnp.zeros([fragments])}

    def loss(params, x, y):
        predicted = params["contribution"][x.astype(jnp.int32)].sum(1)
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "group-contribution-logp",
        data,
        init,
        loss,
        "val MSE (log P)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"group contributions of {fragments} fragments to log P, {molecules - held_out} train / "
        f"{held_out} val molecules of {per_molecule} fragments; batch {batch}",
    )


SPLIT = "held-out-43"
TASKS: dict[str, Callable[..., Task]] = {
    "tree-biomass-allometry": tree_biomass_allometry,
    "adstock-media-mix": adstock_media_mix,
    "group-contribution-logp": group_contribution_logp,
}
