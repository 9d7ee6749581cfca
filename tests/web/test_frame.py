"""The binary frame: exact round trip, aligned raw layout, clear errors on bad input."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from batchlab.web import frame

FLOATS = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=40),
                    elements=st.floats(allow_nan=False, allow_infinity=False))
INTS = hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=40),
                  elements=st.integers(-(2**31), 2**31 - 1))


@given(FLOATS, INTS)
def test_round_trip_is_exact(f: np.ndarray, i: np.ndarray) -> None:
    obj: dict[str, Any] = {"f": f, "nested": [{"i": i, "label": "x"}], "n": 3, "z": 0.5}
    back = frame.loads(frame.dumps(obj))
    np.testing.assert_array_equal(back["f"], f)
    assert back["f"].shape == f.shape and back["f"].dtype == np.float64
    np.testing.assert_array_equal(back["nested"][0]["i"], i)
    assert (back["n"], back["z"], back["nested"][0]["label"]) == (3, 0.5, "x")


def test_layout_is_magic_header_then_aligned_little_endian_values() -> None:
    a, i = np.array([1.0, -2.5, 3.25]), np.array([7, 300, 65535])
    out = bytes(frame.dumps({"a": a, "i": i}))
    assert out[:4] == frame.MAGIC
    (length,) = struct.unpack_from("<I", out, 4)
    assert (8 + length) % 8 == 0
    data = out[8 + length:]
    assert data[:24] == struct.pack("<3d", 1.0, -2.5, 3.25)
    assert data[24:30] == struct.pack("<3H", 7, 300, 65535)  # u2, starting on 8 bytes
    assert len(data) == 32  # padded to the next multiple of 8


def test_integers_travel_in_the_narrowest_lossless_type() -> None:
    back = frame.loads(frame.dumps({"a": np.arange(200), "b": np.arange(60_000),
                                    "c": np.array([-1, 5]), "d": np.array([True, False])}))
    assert [back[k].dtype for k in "abcd"] == [np.uint8, np.uint16, np.int32, np.uint8]
    np.testing.assert_array_equal(back["b"], np.arange(60_000))


def test_non_finite_scalars_become_null() -> None:
    assert frame.loads(frame.dumps({"x": float("nan"), "y": float("inf")})) == {"x": None,
                                                                                "y": None}


def test_refuses_what_it_cannot_carry() -> None:
    with pytest.raises(ValueError, match="int32"):
        frame.dumps({"a": np.array([2**40])})
    with pytest.raises(TypeError, match="complex"):
        frame.dumps({"a": np.array([1j])})


def test_bad_frames_are_named() -> None:
    with pytest.raises(ValueError, match="magic"):
        frame.loads(b"{}")
    good = bytes(frame.dumps({"a": np.arange(1000.0)}))
    with pytest.raises(ValueError, match="truncated"):
        frame.loads(good[:-100])
