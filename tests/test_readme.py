"""The README's printed examples are what the software prints (they go stale otherwise)."""

import re
import subprocess
import sys
from pathlib import Path

from batchlab.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _block_starting(prefix: str) -> str:
    """The README code block whose first line starts with ``prefix``."""
    for body in re.findall(r"```\w*\n(.*?)```", README, flags=re.S):
        if body.startswith(prefix):
            return str(body)
    raise AssertionError(f"no README code block starts with {prefix!r}")


def test_scene_summary_is_what_batchlab_scene_prints(capsys):
    assert main(["scene"]) == 0
    assert capsys.readouterr().out == _block_starting("Synthetic:")


def test_error_example_is_what_the_cli_prints():
    block = _block_starting("$ batchlab scene --n 100 --batch-size 200").splitlines()
    proc = subprocess.run([sys.executable, "-m", "batchlab.cli", "scene", "--n", "100",
                           "--batch-size", "200"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [line for line in block[1:] if line]
