"""The examples of the README's section on many devices run, in order, as a reader would paste them, on 8 devices."""

import re
from pathlib import Path

README = Path(__file__).parents[2] / "README.md"
SECTION = "## Training on many devices and hosts"


def test_the_examples_of_the_distributed_guide_run(capsys):
    section = README.read_text().split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 2
    namespace = {"__name__": "distributed_guide"}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    printed = capsys.readouterr().out
    # As the guide's comments say: under jit and under shard_map, the same switch at the same update.
    assert "      41: adam -> sgd" in printed
    assert "[(41, 'adam', 'sgd')]" in printed
