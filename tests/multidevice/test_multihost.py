"""Two processes on 127.0.0.1 (4 CPU devices each, one global mesh of 8) train with a loss-driven switch: both
make the same switches at the same updates, and reach the params of the single-process run."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import problem

import optswitch

HERE = Path(__file__).parent
TIMEOUT = 120  # seconds for both processes together; they take about 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_two_processes(tmp_path) -> list[dict]:
    """Starts both processes, waits for them within TIMEOUT, and always ends them; returns their outputs."""
    env = dict(
        os.environ,
        XLA_FLAGS="--xla_force_host_platform_device_count=4",
        JAX_PLATFORMS="cpu",
        PYTHONPATH=os.pathsep.join(filter(None, [str(HERE.parents[1]), os.environ.get("PYTHONPATH")])),
    )
    port = free_port()
    outputs = [tmp_path / f"process{k}.npz" for k in range(2)]
    logs = [tmp_path / f"process{k}.log" for k in range(2)]
    workers = []
    try:
        for k in range(2):
            with open(logs[k], "w") as log:
                command = [sys.executable, str(HERE / "multihost_worker.py"), str(k), str(port), str(outputs[k])]
                workers.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + TIMEOUT
        for worker in workers:
            worker.wait(timeout=max(0.0, deadline - time.monotonic()))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    for worker, log in zip(workers, logs, strict=True):
        assert worker.returncode == 0, f"process exited with {worker.returncode}:\n{log.read_text()[-4000:]}"
    results = []
    for output in outputs:
        with np.load(output) as saved:
            results.append({name: saved[name] for name in saved.files})
    return results


def test_two_processes_make_the_switches_of_one_process(tmp_path):
    first, second = run_two_processes(tmp_path)
    log = json.loads(str(first.pop("log")))
    assert json.loads(str(second.pop("log"))) == log

    params, state, actives, compiles = problem.global_run(problem.data_mesh(), host_switches=problem.HOST_SWITCHES)
    assert log["actives"] == actives
    assert [tuple(switch) for switch in log["switches"]] == optswitch.summary(state).switches
    assert log["switches"] == [
        [3, "adam", "rmsprop"],
        [5, "rmsprop", "sgd"],
        [12, "sgd", "rmsprop"],
        [13, "rmsprop", "sgd"],
    ]
    assert log["compiles"] == compiles == 1
    # Each process logs each switch once, with the selector's reason (a custom selector's: its function's name).
    assert log["events"] == [
        "update 3: adam -> rmsprop, chosen by the by_loss selector",
        "update 5: rmsprop -> sgd, chosen by the by_loss selector",
        "update 12: sgd -> rmsprop, set_active",
        "update 13: rmsprop -> sgd, chosen by the by_loss selector",
    ]
    for name, value in params.items():
        np.testing.assert_array_equal(first[name], second[name])
        np.testing.assert_allclose(first[name], np.asarray(value), rtol=1e-5, atol=1e-6)
