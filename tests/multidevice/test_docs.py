"""The examples of docs/distributed.md run, in order, as a reader would paste them, on 8 devices."""

import re
from pathlib import Path

DOC = Path(__file__).parents[2] / "docs" / "distributed.md"


def test_the_examples_of_the_distributed_guide_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    assert len(blocks) == 2
    namespace = {"__name__": "distributed_guide"}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    printed = capsys.readouterr().out
    # As the guide's comments say: under jit and under shard_map, the same switch at the same update.
    assert "      41: adam -> sgd" in printed
    assert "[(41, 'adam', 'sgd')]" in printed
