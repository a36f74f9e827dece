"""Collection rules and XLA compile settings for the test suite."""

import atexit
import os
import shutil
import tempfile

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

# Test after test compiles the same small programs (the same switch over the same problem): XLA's persistent
# compilation cache compiles each once per process, about a quarter of the suite's CPU time (measured on 2 cores).
# A folder of this run's own, one per pytest-xdist worker, since the cache writes its files unlocked; the processes
# a worker starts (the 8-device session, the notebooks' kernels) share its folder, as they run while it waits. A
# cached program is the one XLA compiled (test_compiled's HLO and memory checks pass from warm entries as from fresh
# ones; compile counts are jit's own, in memory). A cache the user set (JAX_COMPILATION_CACHE_DIR) is left as it is.
_CACHE_ROOT = "OPTSWITCH_TESTS_XLA_CACHE"
if _CACHE_ROOT in os.environ or "JAX_COMPILATION_CACHE_DIR" not in os.environ:
    if _CACHE_ROOT not in os.environ:
        os.environ[_CACHE_ROOT] = tempfile.mkdtemp(prefix="optswitch-tests-xla-")
        atexit.register(shutil.rmtree, os.environ[_CACHE_ROOT], ignore_errors=True)
    os.environ["JAX_COMPILATION_CACHE_DIR"] = os.path.join(
        os.environ[_CACHE_ROOT], os.environ.get("PYTEST_XDIST_WORKER", "main")
    )
    os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"
