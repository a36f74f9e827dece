"""optswitch's benchmarks, importable from the repository root.

- ``suite/``: the time-to-target suite (``python -m benchmarks.suite``): running apart from scoring and reporting.
- ``micro/``: micro-benchmarks of the switch (``python -m benchmarks.micro.overhead``, ``...micro.state_bytes``).
- ``diagnostics/``: what the selectors see and do (``python -m benchmarks.diagnostics.rate_noise``,
  ``...diagnostics.selectors_evidence``).
- ``records.py``: the environment a figure was measured in, and the README writer every benchmark uses.
- ``results/``: what they wrote; ``targets.json``: the suite's calibrated targets.

What the package's demo shares with them (the untuned candidates, the digits, the MLP, the training loop) lives in
:mod:`optswitch.demo`, since the installed package cannot import this folder.
"""
