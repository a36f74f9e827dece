"""The tests here run on 8 CPU devices; tests/test_multidevice.py starts them so (see its docstring)."""

import jax

if jax.device_count() != 8:
    raise RuntimeError(
        f"tests/multidevice needs 8 devices, found {jax.device_count()}: run it through tests/test_multidevice.py, "
        f"or as XLA_FLAGS=--xla_force_host_platform_device_count=8 python -m pytest tests/multidevice"
    )
