"""Collection rules for the test suite."""

import os

# The tests check behaviour, not speed, and most of their time is XLA compiling small programs: at LLVM's optimization
# level 0 it compiles them about 20% sooner (XLA's own passes, which decide fusions, buffers and copies, run as at the
# default level). Every test passes at either level; the benchmarks run at the default. Set before any test module
# runs a computation, and carried into the 8-device session's environment.
FAST_COMPILE = "--xla_backend_optimization_level=0"
if FAST_COMPILE not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {FAST_COMPILE}".strip()

# The tests in multidevice/ need 8 CPU devices, which XLA makes only if asked before jax is imported, and the
# rest of the suite runs on one: test_multidevice.py runs them in a pytest process of their own.
if "--xla_force_host_platform_device_count=8" not in os.environ.get("XLA_FLAGS", ""):
    collect_ignore = ["multidevice"]
