"""Keep freed large buffers in the process for reuse (glibc only).

By default glibc serves every allocation over ~128 KiB–32 MiB with fresh pages from the
kernel and hands them back on free, so each uncached scene (1.4 MB of arrays, its frame
and its compressed copy) pays hundreds of page faults: a third of its time. Raising the
mmap and trim thresholds lets later requests reuse the same memory instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest allowed value: blocks below it come from the heap
TRIM_THRESHOLD = 128 << 20  # free memory kept at the heap's top before it goes back


def keep_freed_memory() -> bool:
    """Set the thresholds; True if this C library took them (False elsewhere, harmlessly)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
