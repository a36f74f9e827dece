"""Placing an optimizer's state on devices: its shardings, derived from the parameters' shardings."""

from typing import Any, cast

import jax
import jax.numpy as jnp
import optax
from jax.sharding import AxisType, Mesh, NamedSharding, PartitionSpec

__all__ = ["state_shardings"]


def state_shardings(tx: optax.GradientTransformation, params: Any) -> Any:
    """The sharding of every leaf of ``tx.init(params)``, derived from the shardings of ``params``.

    ``jax.jit(tx.init)(params)`` puts the whole state on one device, however the parameters are sharded: the
    zeros a state starts from do not depend on the parameters' values, so nothing carries their sharding
    over (an eager ``tx.init(params)`` keeps it). Pass these shardings as ``out_shardings`` instead, and each
    candidate's state is born sharded like the parameters it mirrors, never whole on one device::

        state = jax.jit(tx.init, out_shardings=optswitch.state_shardings(tx, params))(params)

    On one device, commit the parameters first (``params = jax.device_put(params, jax.devices()[0])``):
    ``jit`` keys its cache on whether each argument is committed to a device, the state above is, and so are
    a step's outputs; parameters fresh from ``jnp`` are not, and the step would compile again when its own
    outputs come back.

    The shardings come from JAX's own propagation: ``tx.init`` is traced abstractly with the parameters'
    shardings as types (``jax.sharding.AxisType.Explicit``), so a leaf made by ``zeros_like``, ``full_like``
    and the like (Adam's moments, a momentum trace, RMSProp's average) gets its parameter's sharding, one
    computed from a sharded parameter gets what the types say (Adafactor's factored moments follow the rows
    they average), and every other leaf (step counters, the switch's index and log) is replicated over the
    mesh. Nothing is allocated, so ``params`` may be abstract. Works for any optax transformation, not only
    a switch. A leaf that no type ties to a parameter but that an update writes from one (L-BFGS's memory,
    ``[history, *shape]``) is replicated too, and XLA may move it on the first update: give the train step
    these shardings as ``out_shardings`` as well to keep it where it was born.

    Args:
        tx: the optax transformation whose state is wanted, e.g. an :func:`optswitch.switch`.
        params: the parameters, as ``jax.Array`` leaves, or as ``jax.ShapeDtypeStruct`` leaves with a ``sharding``
            (e.g. ``jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=s)`` for a model too large to create
            before it is sharded). ``NamedSharding`` instances over one mesh; a leaf without one is replicated.

    Returns:
        A pytree with the structure of ``tx.init(params)`` and a ``jax.sharding.Sharding`` at each leaf.

    Raises:
        ValueError: if no parameter carries a sharding, or they are spread over several meshes.

    Examples:
        >>> import jax, jax.numpy as jnp, optax, optswitch
        >>> from jax.sharding import NamedSharding, PartitionSpec as P
        >>> mesh = jax.make_mesh((1,), ("data",))
        >>> params = {"w": jax.device_put(jnp.ones((4, 2)), NamedSharding(mesh, P("data", None)))}
        >>> tx = optswitch.switch({"adam": optax.adam(1e-3), "sgd": optax.sgd(1e-2, momentum=0.9)})
        >>> shardings = optswitch.state_shardings(tx, params)
        >>> shardings.candidate_states[0][0].mu["w"].spec, shardings.step.spec
        (P('data', None), P())
        >>> state = jax.jit(tx.init, out_shardings=shardings)(params)
        >>> state.candidate_states[1][0].trace["w"].sharding == params["w"].sharding
        True
    """
    leaves = jax.tree.leaves(params)
    shardings = [getattr(leaf, "sharding", None) for leaf in leaves]
    named = [sharding for sharding in shardings if isinstance(sharding, NamedSharding)]
    meshes = {sharding.mesh for sharding in named}
    if len(meshes) > 1:
        raise ValueError(
            f"state_shardings: the parameters are sharded over {len(meshes)} different meshes; a state can "
            f"follow them only if they share one. Place every parameter on the same mesh."
        )
    if named:
        return _follow_mesh(tx, params, cast(Mesh, named[0].mesh))  # concrete arrays: a concrete mesh
    placed, first = set(shardings), shardings[0]
    if len(placed) == 1 and first is not None and first.is_fully_replicated:
        # Parameters all on one device (or all replicated alike): so is every leaf of the state.
        return jax.tree.map(lambda _: shardings[0], jax.eval_shape(tx.init, params))
    raise ValueError(
        "state_shardings: the parameters carry no common sharding to follow. Pass jax.Arrays placed with "
        "jax.device_put(params, NamedSharding(mesh, spec)), or jax.ShapeDtypeStructs with sharding=NamedSharding(...)."
    )


def _follow_mesh(tx, params, mesh: Mesh):
    # Explicit axes make sharding part of each abstract value's type, so tracing init propagates it.
    explicit = Mesh(mesh.devices, mesh.axis_names, axis_types=(AxisType.Explicit,) * len(mesh.axis_names))

    def typed(leaf):
        sharding = getattr(leaf, "sharding", None)
        spec = sharding.spec if isinstance(sharding, NamedSharding) else PartitionSpec()
        return jax.ShapeDtypeStruct(jnp.shape(leaf), jnp.result_type(leaf), sharding=NamedSharding(explicit, spec))

    try:
        with jax.set_mesh(explicit):
            abstract = jax.eval_shape(tx.init, jax.tree.map(typed, params))
    except Exception as error:
        error.add_note(
            "optswitch.state_shardings traces tx.init with the parameters' shardings as types (explicit mesh "
            "axes); this init does something that explicit sharding rejects. Place the state with your own "
            "out_shardings instead."
        )
        raise

    explicit_axes = all(axis_type == AxisType.Explicit for axis_type in mesh.axis_types)

    def follow(leaf):
        spec = tuple(leaf.sharding.spec) if isinstance(leaf.sharding, NamedSharding) else ()
        # Written as jit writes the shardings of its outputs, since jit keys its cache on them: a spec of full
        # rank on explicit axes, without trailing Nones on automatic ones.
        spec += (None,) * (len(leaf.shape) - len(spec))
        while spec and spec[-1] is None and not explicit_axes:
            spec = spec[:-1]
        return NamedSharding(mesh, PartitionSpec(*spec))

    return jax.tree.map(follow, abstract)
