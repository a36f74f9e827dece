"""The one-way switch of :func:`swats` and :func:`noise_scale`: watch one candidate, switch once, then stay.

A one-way selector keeps a bool ``switched`` in its state. While its ``source`` candidate is active and it has
not switched, it is *watching*: its statistics move and its test may fire (``switch_now``), sending the next
update to ``target``. After that it only passes the active candidate through, so a candidate set from the host
with :func:`optswitch.set_active` stays.
"""

import jax
import jax.numpy as jnp


def watching(active: jax.Array, source: jax.Array, switched: jax.Array) -> jax.Array:
    """Whether the selector watches this update: ``source`` made it, and the switch has not been made."""
    return (active == source) & ~switched


def choose(switch_now: jax.Array, target: jax.Array, active: jax.Array) -> jax.Array:
    """The candidate of the next update: ``target`` on the update that switches, else the active one."""
    return jnp.where(switch_now, target, active)
