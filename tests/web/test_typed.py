"""JSON typed arrays: exact round trip, narrow integer types, null for non-finite floats."""

from __future__ import annotations

import json

import numpy as np
import pytest

from batchlab.web import typed


def test_round_trip_keeps_values_shapes_and_plain_lists() -> None:
    obj = {"a": np.linspace(-1, 1, 7).reshape(7), "grid": np.arange(6.0).reshape(2, 3),
           "k": np.array([0, 70_000]), "plain": [[1.5, 2.0]], "s": "text"}
    back = typed.loads(typed.dumps(obj))
    np.testing.assert_array_equal(back["a"], obj["a"])
    assert back["grid"].shape == (2, 3) and back["k"].dtype == np.int32
    assert back["plain"] == [[1.5, 2.0]] and back["s"] == "text"


def test_output_is_strict_json_with_typed_array_objects() -> None:
    text = typed.dumps({"x": np.array([1.0, float("nan")]), "y": float("inf")})
    d = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert set(d["x"]) == {"dtype", "shape", "bdata"} and d["y"] is None


@pytest.mark.parametrize(("values", "dtype", "code"), [
    ([0, 255], "i8", "u1"), ([0, 256], "i8", "u2"), ([0, 65_535], "i8", "u2"),
    ([-1, 3], "i8", "i4"), ([True, False], "?", "u1"), ([], "i8", "u1"), ([0.5], "f4", "f8")])
def test_wire_picks_the_narrowest_lossless_type(values: list[int], dtype: str, code: str) -> None:
    assert typed.wire(np.array(values, dtype=dtype))[0] == code
