"""Diagnostics of the selectors: how noisy a window's loss rate is (rate_noise), what each selector does on one
small problem (selectors_evidence), variants of the race (race_variants), what trials and a switch's events show
(trial_losses, switch_events), and how long a comparison from a common start must be to pick the copy that reaches
the target first (horizon)."""
