"""Diagnostics of the selectors: how noisy a window's loss rate is (rate_noise), what each selector does on one
small problem (selectors_evidence)."""
