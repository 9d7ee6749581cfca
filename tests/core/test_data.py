"""Datasets: standardisation, determinism, offline real sets, and the user-file loader's errors."""

import numpy as np
import pytest

from batchlab.core import data


@pytest.mark.parametrize("name", data.DATASETS)
def test_builtin_sets_are_standardised_and_deterministic(name):
    a = data.load(name, 300, np.random.default_rng(5))
    b = data.load(name, 300, np.random.default_rng(5))
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert a.n == 300
    centre = 1.0 if name == "synthetic-offset" else 0.0  # C9's tilted bowl: mean 1 on purpose
    if a.task != "shifts":
        assert abs(a.x.mean() - centre) < 1e-12 and abs(a.x.std() - 1) < 1e-12
    if a.task == "classification":
        assert set(np.unique(a.y)) == {0.0, 1.0}


def test_real_sets_load_whole_when_n_exceeds_their_size():
    assert data.diabetes().n == 442
    assert data.breast_cancer().n == 569
    assert data.load("diabetes", 442, np.random.default_rng(0)).n == 442
    with pytest.raises(ValueError, match="n must be between 2 and 442 for diabetes"):
        data.load("diabetes", 443, np.random.default_rng(0))


def test_unknown_dataset_names_the_choices():
    with pytest.raises(ValueError, match="dataset must be one of"):
        data.load("mnist", 10, np.random.default_rng(0))


def test_n_out_of_range():
    with pytest.raises(ValueError, match="n must be between 2"):
        data.synthetic_regression(np.random.default_rng(0), 1)


def test_csv_with_header(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("height,weight\n1,2\n2,4.5\n3,5\n4,8\n")
    d = data.load_table(p, "height", "weight")
    assert d.n == 4 and abs(d.x.std() - 1) < 1e-12 and abs(d.y.mean()) < 1e-12
    assert (d.x_label, d.y_label) == ("height (std.)", "weight (std.)")  # the axes' names
    assert data.load_table(p, 0, 1).x_label == "height (std.)"  # by index: the header's name
    bare = tmp_path / "bare.csv"
    bare.write_text("1,2\n2,4.5\n3,5\n")
    assert data.load_table(bare, 0, 1).x_label == "column 0 (std.)"  # no header: the index


def test_npz(tmp_path):
    p = tmp_path / "d.npz"
    np.savez(p, a=np.arange(5.0), b=np.array([0, 1, 0, 1, 1.0]))
    d = data.load_table(p, "a", "b", task="classification")
    np.testing.assert_array_equal(d.y, [0, 1, 0, 1, 1])
    assert (d.x_label, d.y_label) == ("a (std.)", "b")  # labels are not standardised
    assert data.load_table(p, 1, 0, task="regression").x_label == "b (std.)"  # arrays by index


@pytest.mark.parametrize(("content", "kwargs", "msg"), [
    ("x,y\n1,2\n2,abc\n", {}, "line 3, column 'y': 'abc' is not a number"),
    ("x,y\n1,2\n2,nan\n3,1\n", {}, "NaN or infinite value at row 1"),
    ("x,y\n1,2\n", {}, "between 2 and"),
    ("x,y\n1,2\n2,3\n", {"y_column": "z"}, "column 'z' not in"),
    ("x,y\n1,2\n2\n", {}, "line 3 has 1 columns"),
    ("x,y\n1,0\n2,3\n", {"task": "classification"}, "labels must be 0 or 1"),
    ("x,y\n1,2\n1,3\n", {}, "constant"),
])
def test_csv_errors_are_clear(tmp_path, content, kwargs, msg):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    args = {"x_column": "x", "y_column": "y"} | kwargs
    with pytest.raises(ValueError, match=msg.replace("(", r"\(")):
        data.load_table(p, **args)


def test_missing_file_and_bad_suffix(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        data.load_table(tmp_path / "nope.csv")
    p = tmp_path / "d.json"
    p.write_text("{}")
    with pytest.raises(ValueError, match=r"must end in \.csv or \.npz"):
        data.load_table(p)


def test_offset_set_is_the_synthetic_set_shifted_and_its_bowl_is_tilted():
    a = data.load("synthetic", 1000, np.random.default_rng(0))
    b = data.load("synthetic-offset", 1000, np.random.default_rng(0))
    np.testing.assert_array_equal(b.x, a.x + 1.0)
    np.testing.assert_array_equal(b.y, a.y)
    xs = np.c_[b.x, np.ones(b.n)]  # Hessian of the mean squared loss ½(w·x + b − y)²
    lo, hi = np.linalg.eigvalsh(xs.T @ xs / b.n)
    assert hi / lo == pytest.approx((3 + 5**0.5) / (3 - 5**0.5))  # [[2, 1], [1, 1]]: ≈ 6.85
