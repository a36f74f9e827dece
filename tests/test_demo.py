"""``python -m optswitch.demo``: its main function on a tiny budget."""

import numpy as np

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
    assert summary.switches == [(20, "adam", "sgd")]
    assert summary.steps == {"adam": 20, "sgd": 20, "rmsprop": 0}
    # The same initialization and batches: the switch is Adam until it hands over.
    np.testing.assert_allclose(results["switch"][0]["accuracy"][:3], results["adam"][0]["accuracy"][:3])
    printed = capsys.readouterr().out
    assert "steps to 97%" in printed and "final accuracy" in printed
    assert "adam->sgd at 20" in printed
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
