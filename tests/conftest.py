"""Collection rules for the test suite."""

import os

# The tests in multidevice/ need 8 CPU devices, which XLA makes only if asked before jax is imported, and the
# rest of the suite runs on one: test_multidevice.py runs them in a pytest process of their own.
if "--xla_force_host_platform_device_count=8" not in os.environ.get("XLA_FLAGS", ""):
    collect_ignore = ["multidevice"]
