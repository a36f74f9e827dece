"""``python -m optswitch.demo``: its main function on a tiny budget."""

import optswitch
from optswitch import demo


def test_demo_compares_the_fixed_candidates_with_the_switch(tmp_path, capsys):
    out = tmp_path / "curves.png"
    results = demo.main(["--steps", "40", "--eval-every", "10", "--out", str(out)])
    assert list(results) == ["adam", "sgd", "rmsprop", "switch"]
    for history, _ in results.values():
        assert history["step"] == [0, 10, 20, 30, 40]
        assert all(0.0 <= accuracy <= 1.0 for accuracy in history["accuracy"])
    summary = optswitch.summary(results["switch"][1])
    # race(run_length=40): legs of max(40 // 100, 3) = 3 updates, adam sgd rmsprop | rmsprop sgd adam; then the
    # winner leads.
    race = [(3, "adam", "sgd"), (6, "sgd", "rmsprop"), (12, "rmsprop", "sgd"), (15, "sgd", "adam")]
    assert summary.switches[:4] == race
    assert all(summary.updates[name] >= 6 for name in ("adam", "sgd", "rmsprop"))
    assert sum(summary.updates.values()) == 40
    # Later, the candidate changes only where the race ends (18): a duel could begin from 2 x 18 = 36 on, past the
    # stop at (3 x 40) // 4 = 30 that race(run_length=40) sets.
    assert all(first == 18 for first, _, _ in summary.switches[4:])
    # The same initialization for every optimizer.
    assert len({history["accuracy"][0] for history, _ in results.values()}) == 1
    printed = capsys.readouterr().out
    assert "steps to 97%" in printed and "final accuracy" in printed
    assert f"{len(summary.switches)}: adam->sgd at 3, sgd->rmsprop at 6" in printed
    assert str(summary) in printed
    assert out.stat().st_size > 0


def test_demo_rejects_a_budget_that_is_not_a_multiple_of_the_evaluation_interval(capsys):
    try:
        demo.main(["--steps", "45", "--eval-every", "10"])
    except SystemExit as exit:
        assert exit.code == 2
    else:
        raise AssertionError("expected a usage error")
    assert "--steps (45) must be a positive multiple of --eval-every (10)" in capsys.readouterr().err
