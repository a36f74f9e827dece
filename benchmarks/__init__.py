"""optswitch's benchmarks: the time-to-target suite (tasks, harness, scoring, plots) as importable modules."""
