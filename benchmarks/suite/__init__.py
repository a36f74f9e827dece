"""The time-to-target suite, AlgoPerf's way: running apart from scoring and reporting.

- :mod:`~benchmarks.suite.tasks`: the training problems; :mod:`~benchmarks.suite.contenders`: the optimizers raced.
- :mod:`~benchmarks.suite.harness`: one run of a task with an optimizer, timed as AlgoPerf times it.
- :mod:`~benchmarks.suite.store`: runs and targets to and from JSON.
- :mod:`~benchmarks.suite.scoring`: targets, time to target, performance profiles and scores.
- :mod:`~benchmarks.suite.goals`: the goals set for each switch, checked on the scores.
- :mod:`~benchmarks.suite.report` and :mod:`~benchmarks.suite.plots`: tables, README block and figures, from the
  run's JSON only.
- :mod:`~benchmarks.suite.cli`: ``python -m benchmarks.suite``.
"""
