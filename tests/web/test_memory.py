"""Freed large buffers are reused: a second scene-sized buffer costs no new page faults."""

from __future__ import annotations

import platform
import resource

import numpy as np
import pytest

from batchlab.web.memory import keep_freed_memory


def faults_to_fill(nbytes: int) -> int:
    """Minor page faults taken while allocating and writing a fresh buffer."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    buf = np.empty(nbytes, np.uint8)
    buf[:] = 1
    del buf
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="the thresholds are glibc's")
def test_freed_buffers_are_reused_without_page_faults() -> None:
    assert keep_freed_memory()
    size = 3 << 20  # a scene's arrays, frame and compressed copy are 1–2 MB each
    faults_to_fill(size)  # the heap grows once
    assert faults_to_fill(size) < 0.05 * size / 4096  # then the same pages come back
