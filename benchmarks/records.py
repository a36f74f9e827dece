"""What every benchmark records beside its figures: the environment it ran in, and its table in a README."""

import importlib.metadata
import os
import platform
import re
from pathlib import Path

import jax
import optax


def environment() -> dict:
    """The versions, the processor and the device the figures were measured on."""
    return {
        "python": platform.python_version(),
        "jax": jax.__version__,
        "jaxlib": importlib.metadata.version("jaxlib"),
        "optax": optax.__version__,
        "platform": platform.platform(),
        "processor": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "device": str(jax.devices()[0].device_kind),
        "backend": jax.default_backend(),
    }


def _cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux), else the machine type."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def write_between_markers(path: Path, block: str, begin: str, end: str) -> None:
    """Replaces the text between the lines ``begin`` and ``end`` of ``path`` with ``block``; appends the markers and
    the block when ``path`` has none yet (or does not exist)."""
    text = path.read_text() if path.is_file() else ""
    if begin in text and end in text:
        pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
        text = pattern.sub(lambda _: f"{begin}\n{block}\n{end}", text, count=1)
    else:
        text += f"\n{begin}\n{block}\n{end}\n"
    path.write_text(text)
