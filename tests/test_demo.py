"""``python -m optswitch.demo``: its main function on a tiny budget."""

import optswitch
from optswitch import demo


def test_demo_compares_the_fixed_candidates_with_the_switch(tmp_path, capsys):
    out = tmp_path / "curves.png"
    results = demo.main(["--steps", "100", "--eval-every", "10", "--out", str(out)])
    assert list(results) == ["adam", "sgd", "rmsprop", "prodigy", "switch", "prodigy_trial"]
    for history, _ in results.values():
        assert history["step"] == list(range(0, 101, 10))
        assert all(0.0 <= accuracy <= 1.0 for accuracy in history["accuracy"])
    summary = optswitch.summary(results["switch"][1])
    # The recommended switch: the candidates at 3x and at 1x their learning rates race in legs of
    # max(100 // 100, 3) = 3 updates, a b c d e f | f e d c b a; then the winner leads.
    names = ["adam-x3", "sgd-x3", "rmsprop-x3", "adam", "sgd", "rmsprop"]
    legs = [*names, *reversed(names)]
    race = [(3 * k, legs[k - 1], legs[k]) for k in range(1, 12) if legs[k - 1] != legs[k]]
    assert summary.switches[: len(race)] == race
    assert all(summary.updates[name] >= 6 for name in names)
    assert sum(summary.updates.values()) == 100
    # After the race (update 36) the winner leads; a duel could begin from 2 x 36 = 72, past the stop at 50, where
    # the race decides no more and its winner, if a 3x copy, steps down to the candidate at its own rate; or
    # earlier, once the copy's loss has not fallen over a window of 100 // 20 = 5 of its updates (here: sgd-x3,
    # the race's winner, over updates 36-40).
    later = summary.switches[len(race) :]
    assert later == [(36, "adam-x3", "sgd-x3"), (41, "sgd-x3", "sgd")]
    assert summary.active == "sgd"
    # Prodigy checked once against Adam: Prodigy alone until its trial at update 20 (of 5 updates, then Adam's 5 from
    # the same point), bit for bit; then the winner of the trial goes on.
    (tried, tried_state), (alone, _) = results["prodigy_trial"], results["prodigy"]
    assert tried["accuracy"][:3] == alone["accuracy"][:3]
    assert optswitch.summary(tried_state).switches[0] == (25, "prodigy", "adam")
    assert sum(optswitch.summary(tried_state).updates.values()) == 100
    # The same initialization for every optimizer.
    assert len({history["accuracy"][0] for history, _ in results.values()}) == 1
    printed = capsys.readouterr().out
    assert "steps to 97%" in printed and "final accuracy" in printed
    assert f"{len(summary.switches)}: adam-x3->sgd-x3 at 3, sgd-x3->rmsprop-x3 at 6" in printed
    assert str(summary) in printed
    undone = int(optswitch.metrics(results["switch"][1], prefix="")["undo_if_worse/undone"])
    assert f"legs undone (their loss ended above where it began): {undone}" in printed
    assert out.stat().st_size > 0


def test_demo_rejects_a_budget_that_is_not_a_multiple_of_the_evaluation_interval(capsys):
    try:
        demo.main(["--steps", "45", "--eval-every", "10"])
    except SystemExit as exit:
        assert exit.code == 2
    else:
        raise AssertionError("expected a usage error")
    assert "--steps (45) must be a positive multiple of --eval-every (10)" in capsys.readouterr().err
