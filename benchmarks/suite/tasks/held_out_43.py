"""The *held-out-43* tasks, added in round 60 for a later round, are kept aside from every design, the held-out-42
tasks' included, and run once (``--split held-out-43``) with the defaults frozen. Before these three, other versions ran
with the fixed candidates on seeds 0 and 1 (some with only one or two of them) and were dropped: tree allometries of 5
species, or of 4, with the diameter's logarithm taken in centimetres (SGD with momentum the lowest, still falling at
2,000) or in tens of centimetres (SGD within 1% of its best from 500 updates, at the noise); Tafel lines of 6 electrodes
at log current densities of 0.05 to 0.25 (RMSProp the lowest, within 1% of its best from 700 updates); and group
contributions of 1,000 fragments of scale 0.5 (Adam the lowest, still falling at 2,000) or 300 of scale 0.5 (SGD the
lowest), of 3,000 or 1,500 of scale 0.1 (Adam the lowest, RMSProp within 2% to 25% of it), or of 2,000 or 4,000 of scale
0.06 (RMSProp within 1% to 8% of Adam). One calibration (--calibrate, seeds 100-104) and one baseline tuning ran, on the
tasks as they are; nothing was discarded. The cost of the tasks as they are: the allometry's target is at the noise
(0.5% above it) and the Tafel lines' near it (2% above it), though SGD and RMSProp still improve to 500 updates and more
and reach them only from 1,100 and 850; and Adam reaches the group contributions' target late (1,950 to 2,000 updates).
The Tafel lines share the Ricker laws' form (held-out-42: a per-group level and slope on a narrow positive input). Each
run 0.3 to 1 s on the 2 cores shared with another job."""

from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from benchmarks.suite.tasks._common import Task, _fitted, _rows


def tree_biomass_allometry(*, quick: bool = False) -> Task:
    """Fit the allometric equations of several tree species (each one's level and exponent) to the trees' diameters
    and biomasses, the squared error of the log biomass, batch 64 trees.

    A held-out-43 task, forest biomass allometry (the power laws of tree biomass in the stem's diameter, as Chave
    et al. 2014 fit them, "Improved allometric models to estimate the aboveground biomass of tropical trees"): a tree
    of species ``k`` and diameter ``D`` (cm) has the biomass ``B`` (kg) with ``ln B = a + b ln D``, linear in its level
    and its exponent, given here as ``ln B = level + b ln(D / 3 cm)``, whose two terms are correlated, so that the
    direction that tells them apart is the slow one for plain steps, while the exponents, near 2.5, are thousands of
    steps of 1e-3 away. The data (numpy seed 0): 4 species, each with ``a`` U(-3, -2) and ``b`` U(2.2, 2.6); 5,000
    trees, each of a species drawn uniformly with ``D`` U(5, 80), its ``ln B`` plus N(0, 0.1^2) noise (biomasses of 2.4
    to 7,042 kg); the first 1,000 for validation, 4,000 for training (the same for every run seed); each tree given as
    its species and ``ln(D / 3 cm)``. The model: each species' level and exponent from 0 (the same start on every
    seed). The loss and the metric are the mean squared error of ``ln B`` (0 or more): 40.9376 for a zero prediction
    (the start), 2.93023 for the validation mean, 0.0103712 for the true allometries (the noise). Budget 2,000 updates,
    evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with other diameters' units and
    species, as the module's docstring says, then SGD with momentum on this task as it is on seeds 0 and 1 (within 1%
    of its best from 1,000 and 1,100 updates). On the calibration seeds SGD with momentum at 1e-2 sets the target,
    0.010421, its median best 0.0104 loosened by the spread of its bests (0.010382 to 0.010404, at 1,750 to 2,000
    updates), 0.5% above the noise: it gets below it on every seed within 1,100 to 1,950 updates (median 1,250); Adam
    at 1e-3 on none (bests 2.0979 to 2.1344) and RMSProp at 1e-3 on none (bests 0.21599 to 0.21858), each at 2,000,
    still falling, held back by the step their rates allow (exponents near 2.5). SGD leads from 50 updates on, on every
    seed: after 100 updates the validation error is 0.0395 to 0.04351 for SGD, 36.3 to 36.32 for RMSProp and 36.71 to
    36.72 for Adam; after 500, 0.01255 to 0.01282 for SGD; after 1,000, 0.01048 to 0.01104, 8.937 to 8.991 and 11.73 to
    11.79 (0.3 to 0.9 s a run). The target is at the noise, but SGD, at its fixed rate, still improves to 1,000 updates
    and reaches it only from 1,100. The baseline's tuned rate is 3e-2, the top of its grid (median best 0.010379, below
    the target on every seed within 900 to 1,750 updates)."""
    species, trees, held_out, batch = 4, 5000, 1000, 64
    rng = np.random.default_rng(0)
    a = rng.uniform(-3.0, -2.0, species)
    b = rng.uniform(2.2, 2.6, species)
    kind = rng.integers(0, species, trees)
    diameter = rng.uniform(5, 80, trees)
    y = a[kind] + b[kind] * np.log(diameter) + rng.normal(0, 0.1, trees)
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


def tafel_electrode_kinetics(*, quick: bool = False) -> Task:
    """Fit the Tafel lines of several electrodes (each one's exchange term and Tafel slope) to their current densities
    and overpotentials, the squared error of the overpotential, batch 64 polarization readings.

    A held-out-43 task, electrode kinetics (Tafel 1905, "Über die Polarisation bei kathodischer
    Wasserstoffentwicklung"): an electrode driven at the current density ``j`` holds the overpotential
    ``eta = a + b log10(j)``, linear in its exchange term ``a`` and its Tafel slope ``b``; the current densities, in a
    narrow band (log10 of 0.1 to 0.3, in mA cm^-2) and never near 1 mA cm^-2, make the slope term nearly collinear with
    the exchange term, so that the direction that tells them apart, of small scale, is the hard one. The data (numpy
    seed 0): 8 electrodes, each with ``a`` U(0.1, 0.35) V and ``b`` U(0.1, 0.35) V a decade; 5,000 polarization
    readings, each of an electrode drawn uniformly with ``log10(j)`` U(0.1, 0.3), its ``eta`` plus N(0, 0.005^2) noise
    (overpotentials of 0.102 to 0.409 V); the first 1,000 for validation, 4,000 for training (the same for every run
    seed); each reading given as its electrode and ``log10(j)``. The model: each electrode's ``a`` and ``b`` from 0 (the
    same start on every seed). The loss and the metric are the mean squared error of ``eta`` (0 or more): 0.0825683 for
    a zero prediction (the start), 0.00664178 for the validation mean, 2.5577e-05 for the true lines (the noise).
    Budget 2,000 updates, evaluated every 50. Before calibration, the fixed candidates ran on seeds 0 and 1 with other
    electrodes, as the module's docstring says, then on this task as it is on seeds 0 and 1 (RMSProp 2.61e-05 and
    2.5831e-05, within 1% of it from 1,150 and 1,300 updates; Adam 3.9791e-05 and 3.9931e-05 and SGD 0.00011805 and
    0.00011842, still falling at 2,000). On the calibration seeds RMSProp at 1e-3 sets the target, 2.6125e-05, its
    median best 2.5926e-05 loosened by the spread of its bests (2.5768e-05 to 2.6029e-05, at 900 to 1,950 updates), 2%
    above the noise: it gets below it on every seed within 850 to 1,950 updates (median 1,000); Adam at 1e-3 on none
    (bests 3.9694e-05 to 3.9921e-05) and SGD with momentum at 1e-2 on none (bests 0.00011819 to 0.00011908), each at
    2,000, still falling. SGD leads from 50 to 300 updates, RMSProp from 350 on, on every seed: after 100 updates the
    validation error is 0.0002516 to 0.0002695 for SGD, 0.03056 to 0.03097 for RMSProp and 0.03512 to 0.03562 for Adam;
    after 500, 3.405e-05 to 3.458e-05 for RMSProp; after 1,000, 0.0001342 to 0.0001346, 2.599e-05 to 2.742e-05 and
    5.123e-05 to 5.16e-05 (0.3 to 0.6 s a run): SGD is slowed by the small direction that tells the exchange term from
    the slope, Adam by its second moment's memory of the large gradients of the start, while RMSProp's short memory
    keeps its steps at its rate. The baseline's tuned rate is 3e-2, the top of its grid (median best 2.5645e-05, below
    the target on every seed within 550 to 1,100 updates)."""
    electrodes, readings, held_out, batch = 8, 5000, 1000, 64
    rng = np.random.default_rng(0)
    exchange = rng.uniform(0.1, 0.35, electrodes)
    slope = rng.uniform(0.1, 0.35, electrodes)
    electrode = rng.integers(0, electrodes, readings)
    log_current = rng.uniform(0.1, 0.3, readings)
    y = exchange[electrode] + slope[electrode] * log_current + rng.normal(0, 0.005, readings)
    x = np.stack([electrode, log_current], 1)
    data = _rows(x[held_out:], y[held_out:], x[:held_out], y[:held_out])

    def init(key):
        del key
        return {"exchange": jnp.zeros([electrodes]), "slope": jnp.zeros([electrodes])}

    def loss(params, x, y):
        e = x[:, 0].astype(jnp.int32)
        predicted = params["exchange"][e] + params["slope"][e] * x[:, 1]
        return jnp.mean((predicted - y) ** 2)

    return _fitted(
        "tafel-electrode-kinetics",
        data,
        init,
        loss,
        "val MSE (overpotential, V)",
        batch=batch,
        budget=200 if quick else 2000,
        eval_every=50,
        description=f"Tafel lines of {electrodes} electrodes, {readings - held_out} train / {held_out} val readings; "
        f"batch {batch}",
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
    "tafel-electrode-kinetics": tafel_electrode_kinetics,
    "group-contribution-logp": group_contribution_logp,
}
