"""The switch against plain optax over optax's own optimizer table (issue 10, items 24 and 25).

With one candidate the switch is plain optax, bit for bit, dtypes included, also for mixed precision. With
several, a ``lax.switch`` branch is fused differently by XLA:CPU (multiply-adds contracted into FMAs at other
places), so the numbers may differ by a few units in the last place: :data:`ULP_BOUND`, measured by
``benchmarks/diagnostics/ulp_to_optax.py`` and stated in the README.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from optax_table import OPTIMIZERS, WRAPPINGS, trajectory, ulp_per_step

#: The largest distance to plain optax over the table and 12 steps with several candidates, in ulps of each
#: parameter leaf's largest entry (measured 3 on CPU over optax's own table, 4 for optax.contrib's schedule-free AdamW,
#: with room for another XLA version's fusion choices).
ULP_BOUND = 8
STEPS = 12
#: The tests run a sample of the table (each optimizer costs several compiles); the benchmark runs all of it.
SAMPLE = [
    "adafactor",
    "adagrad",
    "adam",
    "adamw",
    "adan",
    "lion",
    "rmsprop_momentum",
    "sgd_momentum",
    "prodigy",
    "schedule_free_adamw",
]
MIXES = [(jnp.float32, jnp.bfloat16), (jnp.bfloat16, jnp.float32)]


def dtypes(tree):
    return [jnp.result_type(leaf) for leaf in jax.tree.leaves(tree)]


@pytest.mark.parametrize("name", SAMPLE)
def test_one_candidate_is_plain_optax_bit_for_bit_and_several_are_within_the_bound(name):
    make = OPTIMIZERS[name]
    assert ulp_per_step(WRAPPINGS["alone"](make()), make(), STEPS) == [0.0] * STEPS
    assert max(ulp_per_step(WRAPPINGS["with_sgd"](make()), make(), STEPS)) <= ULP_BOUND


@pytest.mark.parametrize(("param_dtype", "grad_dtype"), MIXES, ids=["f32_params_bf16_grads", "bf16_params_f32_grads"])
@pytest.mark.parametrize("name", SAMPLE)
def test_mixed_precision_keeps_what_plain_optax_keeps(name, param_dtype, grad_dtype):
    make = OPTIMIZERS[name]
    plain = trajectory(make(), 2, param_dtype, grad_dtype)
    alone = trajectory(WRAPPINGS["alone"](make()), 2, param_dtype, grad_dtype)
    several = trajectory(WRAPPINGS["with_sgd"](make()), 2, param_dtype, grad_dtype)
    for (p, u, s), (p_alone, u_alone, s_alone), (_, u_several, s_several) in zip(plain, alone, several, strict=True):
        # One candidate: exactly plain optax's updates, parameters and state, dtypes included.
        assert dtypes(u_alone) == dtypes(u) and dtypes(s_alone.candidate_states[0]) == dtypes(s)
        ours = jax.tree.leaves((p_alone, u_alone, s_alone.candidate_states[0]))
        for a, b in zip(ours, jax.tree.leaves((p, u, s)), strict=True):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        # Several: updates at the promotion of the candidates' dtypes (sgd's are the gradients'), never below
        # what this candidate computed; its state never below the dtypes plain optax's settles to.
        assert dtypes(u_several) == [jnp.promote_types(d, grad_dtype) for d in dtypes(u)]
        held = dtypes(s_several.candidate_states[0])
        assert all(jnp.promote_types(ours, theirs) == ours for ours, theirs in zip(held, dtypes(s), strict=True))
