"""Flax linen: a ``TrainState`` whose ``apply_gradients`` passes the loss and applies inside the switch's branch.

Flax's ``TrainState.apply_gradients(grads=...)`` forwards no ``value=`` (so a selector that reads the loss
cannot run there) and calls ``tx.update`` then ``optax.apply_updates``, so the updates leave the switch's
conditional in a buffer of their own and are read again to be applied. :class:`TrainState` passes ``value``
and calls ``tx.update_and_apply``. Needs flax (``pip install optswitch[flax]``).
"""

import optax
from flax.training import train_state

from optswitch._fused import fused_step

__all__ = ["TrainState"]

# Flax's key for parameters that take their gradient as their new value (flax.linen.fp8_ops).
_OVERWRITE_WITH_GRADIENT = train_state.OVERWRITE_WITH_GRADIENT


class TrainState(train_state.TrainState):
    """``flax.training.train_state.TrainState``, fused with the switch its ``tx`` holds.

    Same fields, same ``create`` and the same parameters up to float rounding (the multiply-adds fuse
    differently) as flax's; ``apply_gradients`` also takes ``value=loss`` for the selectors that read it,
    and makes one pass over the parameters less per update when ``tx`` is an :func:`optswitch.switch` or an
    :func:`optswitch.chain` ending in one. With any other ``tx`` it is flax's ``TrainState`` (``value``
    still reaches ``tx.update``), and ``create`` warns when that ``tx`` holds a switch it cannot fuse with
    (a switch inside ``optax.chain``: use :func:`optswitch.chain`).

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> from flax import linen
        >>> import optswitch.linen
        >>> model = linen.Dense(1)
        >>> x = jnp.ones((4, 2))
        >>> state = optswitch.linen.TrainState.create(
        ...     apply_fn=model.apply, params=model.init(jax.random.key(0), x)["params"],
        ...     tx=optswitch.chain(optax.clip_by_global_norm(1.0),
        ...                        optswitch.switch({"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)})))
        >>> loss, grads = jax.value_and_grad(lambda p: jnp.mean(model.apply({"params": p}, x) ** 2))(state.params)
        >>> state = state.apply_gradients(grads=grads, value=loss)
        >>> optswitch.summary(state.opt_state).updates
        {'adam': 1, 'sgd': 0}
    """

    @classmethod
    def create(cls, *, apply_fn, params, tx, **kwargs):
        """As flax's ``TrainState.create``; warns if ``tx`` holds a switch outside the fused path's reach."""
        state = super().create(apply_fn=apply_fn, params=params, tx=tx, **kwargs)
        fused_step(tx, state.opt_state, "optswitch.linen.TrainState")
        return state

    def apply_gradients(self, *, grads, value=None, **kwargs):
        """Returns the state after one update from ``grads``, with ``step`` advanced by one.

        Args:
            grads: gradients with the structure of ``params``.
            value: the loss, for a selector that reads it (``tx.update(..., value=loss)``); optional.
            **kwargs: other fields to ``replace``, as in flax.

        Returns:
            The updated train state.
        """
        extra_args = {} if value is None else {"value": value}
        overwrite = _OVERWRITE_WITH_GRADIENT in grads
        grads_with_opt = grads["params"] if overwrite else grads
        params_with_opt = self.params["params"] if overwrite else self.params
        fused = getattr(self.tx, "update_and_apply", None)
        if fused is not None:
            new_params, opt_state = fused(grads_with_opt, self.opt_state, params_with_opt, **extra_args)
        else:
            updates, opt_state = self.tx.update(grads_with_opt, self.opt_state, params_with_opt, **extra_args)
            new_params = optax.apply_updates(params_with_opt, updates)
        if overwrite:
            new_params = {"params": new_params, _OVERWRITE_WITH_GRADIENT: grads[_OVERWRITE_WITH_GRADIENT]}
        return self.replace(step=self.step + 1, params=new_params, opt_state=opt_state, **kwargs)
