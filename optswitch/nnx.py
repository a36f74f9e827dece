"""Flax nnx: an ``nnx.Optimizer`` that applies a switch's update inside its routing branch.

``nnx.Optimizer.update`` calls ``tx.update`` and then ``optax.apply_updates``, so with a switch the updates
leave the conditional in a buffer of their own and are read again to be applied (the "update" rows of
``benchmarks/README.md``). :class:`Optimizer` calls :meth:`optswitch.SwitchTransformation.update_and_apply`
instead, which applies them in the branch, also when the switch is the last link of an
:func:`optswitch.chain`. Needs flax (``pip install optswitch[flax]``).
"""

import jax
from flax import nnx

from optswitch._fused import fused_step

__all__ = ["Optimizer"]


class Optimizer(nnx.Optimizer):
    """``flax.nnx.Optimizer``, fused with the switch it holds.

    Same constructor, same state and same switches as ``nnx.Optimizer``, the same parameters up to float
    rounding (the multiply-adds fuse differently), and one pass over the parameters less per update when
    ``tx`` is an :func:`optswitch.switch` or an :func:`optswitch.chain` ending in one (clipping first, say).
    With any other transformation it is ``nnx.Optimizer``, and it warns at construction when that
    transformation holds a switch it cannot fuse with (a switch inside ``optax.chain``: use
    :func:`optswitch.chain`).

    Examples:
        >>> import jax.numpy as jnp, optax, optswitch
        >>> from flax import nnx
        >>> import optswitch.nnx
        >>> model = nnx.Linear(2, 1, rngs=nnx.Rngs(0))
        >>> tx = optswitch.switch({"adam": optax.adam(1e-2), "sgd": optax.sgd(1e-2)})
        >>> optimizer = optswitch.nnx.Optimizer(model, tx, wrt=nnx.Param)
        >>> grads = nnx.grad(lambda m: jnp.mean(m(jnp.ones((4, 2))) ** 2))(model)
        >>> updates = optimizer.update(model, grads)
        >>> optswitch.summary(optimizer).updates
        {'adam': 1, 'sgd': 0}
    """

    def __init__(self, model, tx, **kwargs):
        super().__init__(model, tx, **kwargs)
        fused_step(tx, nnx.as_pure(self.opt_state), "optswitch.nnx.Optimizer")  # warns if it cannot fuse

    def update(self, model, grads, /, **kwargs):
        """Updates the model's parameters and the optimizer state from ``grads``.

        Args:
            model: the model whose ``wrt`` variables are updated in place.
            grads: the gradients, as ``nnx.grad`` returns them.
            **kwargs: extra arguments for the transformation, e.g. ``value=loss``.

        Returns:
            The updates applied to the parameters, as ``nnx.Optimizer.update`` returns them: with a switch,
            the change of each parameter (new minus old; the updates up to the rounding of adding them), which
            under ``jit`` costs nothing unless it is used.
        """
        fused = getattr(self.tx, "update_and_apply", None)
        if fused is None:
            return super().update(model, grads, **kwargs)
        params = nnx.as_pure(nnx.state(model, self.wrt, graph=self.graph))
        grad_arrays = nnx.as_pure(nnx.state(grads, self.wrt, graph=self.graph))
        new_params, new_opt_state = fused(grad_arrays, nnx.as_pure(self.opt_state), params, **nnx.as_pure(kwargs))
        nnx.update(model, new_params)
        nnx.update(self.opt_state, nnx.state(new_opt_state, graph=self.graph))
        self.step[...] += 1
        return jax.tree.map(lambda new, old: new - old, new_params, params)
