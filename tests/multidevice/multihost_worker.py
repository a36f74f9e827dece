"""One of the two processes of test_multihost.py: runs problem.global_run on a mesh of 8 devices over 2 processes.

Usage: python multihost_worker.py PROCESS_ID PORT OUTPUT.npz (with 4 CPU devices per process, by XLA_FLAGS).
"""

import json
import sys


def main(process_id: int, port: int, output: str) -> None:
    import jax

    jax.distributed.initialize(
        coordinator_address=f"127.0.0.1:{port}", num_processes=2, process_id=process_id, initialization_timeout=60
    )
    import numpy as np
    import problem
    from jax.experimental import multihost_utils

    import optswitch

    assert jax.process_count() == 2 and jax.device_count() == 8 and jax.local_device_count() == 4
    events = []
    params, state, actives, compiles = problem.global_run(
        problem.data_mesh(), host_switches=problem.HOST_SWITCHES, on_event=events.append
    )
    jax.effects_barrier()
    assert not params["w"].is_fully_addressable
    summary = optswitch.summary(state)
    params = multihost_utils.process_allgather(params, tiled=True)
    log = {"actives": actives, "switches": summary.switches, "updates": summary.updates, "compiles": compiles}
    log["events"] = [str(event) for event in events]
    np.savez(output, log=json.dumps(log), **{name: np.asarray(value) for name, value in params.items()})
    jax.distributed.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
