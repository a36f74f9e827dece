"""How far the switch's parameters are from plain optax's over optax's optimizer table (issue 10, item 25).

Prints, per optimizer, the largest distance over 12 steps, in ulps of each parameter leaf's largest entry, for
the optimizer alone in a switch, with a second candidate, and with a second candidate under
``inactive="track"``. Run from the repository root: ``python -m benchmarks.diagnostics.ulp_to_optax``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from optax_table import OPTIMIZERS, WRAPPINGS, ulp_per_step

STEPS = 12


def main() -> None:
    print(f"{'optimizer':18}" + "".join(f"{name:>16}" for name in WRAPPINGS))
    worst = dict.fromkeys(WRAPPINGS, 0.0)
    for name, make in OPTIMIZERS.items():
        row = {wrapping: max(ulp_per_step(wrap(make()), make(), STEPS)) for wrapping, wrap in WRAPPINGS.items()}
        worst = {wrapping: max(worst[wrapping], row[wrapping]) for wrapping in WRAPPINGS}
        print(f"{name:18}" + "".join(f"{row[wrapping]:16g}" for wrapping in WRAPPINGS), flush=True)
    print(f"{'largest':18}" + "".join(f"{worst[wrapping]:16g}" for wrapping in WRAPPINGS))


if __name__ == "__main__":
    main()
