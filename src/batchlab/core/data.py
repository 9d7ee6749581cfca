"""Datasets for two-parameter models: one feature ``x`` and one target ``y``.

Every dataset has a standardised feature (mean 0, standard deviation 1 over the
dataset), so the loss landscapes of different datasets share a scale. Regression
targets are standardised too; classification labels are 0/1. Synthetic sets are
drawn from a passed ``np.random.Generator``; real sets come from scikit-learn's
bundled files (no download); a user's CSV/NPZ file is loaded with clear errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

Task = Literal["regression", "classification", "shifts"]
MIN_ROWS = 2
MAX_ROWS = 200_000


@dataclass(frozen=True, eq=False)
class Dataset:
    """N examples (x_i, y_i) plus where they came from."""

    name: str
    x: np.ndarray
    y: np.ndarray
    task: Task
    description: str
    x_label: str = "x"
    y_label: str = "y"

    @property
    def n(self) -> int:
        return int(self.x.shape[0])


def standardise(v: np.ndarray) -> np.ndarray:
    """Shift to mean 0 and scale to standard deviation 1 (population formula)."""
    v = np.asarray(v, dtype=np.float64)
    sd = float(v.std())
    if not np.isfinite(sd) or sd == 0.0:
        raise ValueError("column is constant: it cannot be standardised")
    return (v - v.mean()) / sd


def affine_text(w: float, b: float) -> str:
    """``w·x + b`` as a reader writes it: ``1.5·x − 0.5``, not ``1.5·x + -0.5``."""
    return f"{w:g}·x {'−' if b < 0 else '+'} {abs(b):g}"


def synthetic_regression(
    rng: np.random.Generator, n: int = 1000, w: float = 1.5, b: float = -0.5, noise: float = 0.5
) -> Dataset:
    """y = w·x + b + noise·ε with x, ε ~ N(0, 1); x is then standardised exactly."""
    _check_n(n)
    x = standardise(rng.standard_normal(n))
    y = w * x + b + noise * rng.standard_normal(n)
    desc = (f"Synthetic: y = {affine_text(w, b)} + {noise:g}·ε, x and ε standard normal, "
            f"N = {n}.")
    return Dataset("synthetic", x, y, "regression", desc)


def offset_regression(rng: np.random.Generator, n: int = 1000, shift: float = 1.0) -> Dataset:
    """The synthetic regression set with its feature left off-centre (mean ``shift``, sd 1):
    the bowl J(w, b) tilts and stretches (condition number 6.9 at shift 1), so no single
    step, even on the exact gradient, lands on the minimum, as on most real problems."""
    d = synthetic_regression(rng, n)
    desc = (f"Synthetic, off-centre feature: the same data with x shifted to mean {shift:g} "
            f"(sd 1), N = {n}.")
    return Dataset("synthetic-offset", d.x + shift, d.y, "regression", desc)


def synthetic_classification(
    rng: np.random.Generator, n: int = 1000, w: float = 2.0, b: float = 0.5
) -> Dataset:
    """Labels drawn from a logistic model: P(y = 1 | x) = σ(w·x + b), x standardised."""
    _check_n(n)
    x = standardise(rng.standard_normal(n))
    p = 1.0 / (1.0 + np.exp(-(w * x + b)))
    y = (rng.random(n) < p).astype(np.float64)
    desc = f"Synthetic classification: P(y=1|x) = σ({affine_text(w, b)}), N = {n}."
    return Dataset("synthetic-classification", x, y, "classification", desc)


def sharp_flat_shifts(rng: np.random.Generator, n: int = 1000, spread: float = 0.1) -> Dataset:
    """Per-example shifts (x_i, y_i) ~ N(0, spread²) for the sharp/flat landscape model."""
    _check_n(n)
    x = spread * rng.standard_normal(n)
    y = spread * rng.standard_normal(n)
    desc = f"Shifts of a two-basin surface, N = {n}: each example moves the surface slightly."
    return Dataset("sharp-flat", x, y, "shifts", desc, "shift w", "shift b")


def _subsample(d: Dataset, n: int | None, rng: np.random.Generator | None) -> Dataset:
    if n is None or n >= d.n:
        return d
    _check_n(n)
    if rng is None:
        raise ValueError("a generator is needed to subsample a dataset")
    idx = np.sort(rng.choice(d.n, size=n, replace=False))
    x, y = d.x[idx], d.y[idx]
    x = standardise(x)
    y = standardise(y) if d.task == "regression" else y
    return Dataset(d.name, x, y, d.task, d.description + f" Random subset of N = {n}.",
                   d.x_label, d.y_label)


def diabetes(n: int | None = None, rng: np.random.Generator | None = None) -> Dataset:
    """scikit-learn's diabetes set (N = 442): body-mass index -> disease progression."""
    from sklearn.datasets import load_diabetes

    raw = load_diabetes()
    x = standardise(raw.data[:, 2])
    y = standardise(raw.target)
    desc = "Diabetes (scikit-learn, N = 442): standardised BMI predicts standardised progression."
    d = Dataset("diabetes", x, y, "regression", desc, "BMI (std.)", "progression (std.)")
    return _subsample(d, n, rng)


def breast_cancer(n: int | None = None, rng: np.random.Generator | None = None) -> Dataset:
    """scikit-learn's breast-cancer set (N = 569): mean radius -> benign (1) / malignant (0)."""
    from sklearn.datasets import load_breast_cancer

    raw = load_breast_cancer()
    x = standardise(raw.data[:, 0])
    y = raw.target.astype(np.float64)
    desc = "Breast cancer (scikit-learn, N = 569): standardised mean radius predicts benign (1)."
    d = Dataset("breast-cancer", x, y, "classification", desc, "mean radius (std.)", "benign")
    return _subsample(d, n, rng)


def _check_n(n: int) -> None:
    if not MIN_ROWS <= n <= MAX_ROWS:
        raise ValueError(f"n must be between {MIN_ROWS} and {MAX_ROWS}, got {n}")


def load_table(
    path: str | Path, x_column: str | int = 0, y_column: str | int = 1,
    task: Task = "regression",
) -> Dataset:
    """Load a user's CSV (header row optional) or NPZ (arrays named by the columns).

    Raises ``ValueError`` with a message naming the problem: missing file, unknown
    column, non-numeric value, NaN/inf, too few rows, non-binary labels.
    """
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"data file not found: {p}")
    if p.suffix.lower() == ".npz":
        x, y, names = _read_npz(p, x_column, y_column)
    elif p.suffix.lower() in (".csv", ".txt"):
        x, y, names = _read_csv(p, x_column, y_column)
    else:
        raise ValueError(f"data file must end in .csv or .npz, got {p.name}")
    if x.shape[0] < MIN_ROWS or x.shape[0] > MAX_ROWS:
        raise ValueError(f"data file needs between {MIN_ROWS} and {MAX_ROWS} rows, "
                         f"got {x.shape[0]}")
    for name, v in (("x", x), ("y", y)):
        if not np.all(np.isfinite(v)):
            row = int(np.flatnonzero(~np.isfinite(v))[0])
            raise ValueError(f"column {name} has a NaN or infinite value at row {row}")
    if task == "classification":
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("classification labels must be 0 or 1")
    elif task == "regression":
        y = standardise(y)
    y_label = f"{names[1]} (std.)" if task == "regression" else names[1]
    return Dataset(p.stem, standardise(x), y, task, f"User data from {p.name}, N = {x.shape[0]}.",
                   f"{names[0]} (std.)", y_label)


Columns = tuple[np.ndarray, np.ndarray, tuple[str, str]]  # x, y and the columns' names


def _read_npz(p: Path, xc: str | int, yc: str | int) -> Columns:
    with np.load(p, allow_pickle=False) as z:
        out, names = [], []
        for col in (xc, yc):
            key = col if isinstance(col, str) else z.files[col] if col < len(z.files) else None
            if key not in z.files:
                raise ValueError(f"column {col!r} not in {p.name}; it has {z.files}")
            a = z[key]
            if not np.issubdtype(a.dtype, np.number) or a.ndim != 1:
                raise ValueError(f"array {key!r} must be a 1-D numeric array")
            out.append(a.astype(np.float64))
            names.append(str(key))
    if out[0].shape != out[1].shape:
        raise ValueError("x and y arrays must have the same length")
    return out[0], out[1], (names[0], names[1])


def _read_csv(p: Path, xc: str | int, yc: str | int) -> Columns:
    text = p.read_text(encoding="utf-8", errors="replace")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise ValueError(f"{p.name} is empty")
    first = [c.strip() for c in lines[0].split(",")]
    has_header = not all(_is_number(c) for c in first)
    header = first if has_header else [str(i) for i in range(len(first))]
    idx = [_column_index(header, c, p.name) for c in (xc, yc)]
    rows = lines[1:] if has_header else lines
    cols: list[list[float]] = [[], []]
    for r, line in enumerate(rows, start=2 if has_header else 1):
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(header):
            raise ValueError(f"line {r} has {len(cells)} columns, expected {len(header)}")
        for k, j in enumerate(idx):
            if not _is_number(cells[j]):
                raise ValueError(f"line {r}, column {header[j]!r}: {cells[j]!r} is not a number")
            cols[k].append(float(cells[j]))
    names = [header[j] if has_header else f"column {j}" for j in idx]
    return np.array(cols[0]), np.array(cols[1]), (names[0], names[1])


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _column_index(header: list[str], col: str | int, fname: str) -> int:
    if isinstance(col, int):
        if not 0 <= col < len(header):
            raise ValueError(f"column index must be between 0 and {len(header) - 1}, got {col}")
        return col
    if col not in header:
        raise ValueError(f"column {col!r} not in {fname}; columns are {header}")
    return header.index(col)


Builder = Callable[[np.random.Generator, int], Dataset]
BUILTIN: dict[str, Builder] = {
    "synthetic": lambda rng, n: synthetic_regression(rng, n),
    "synthetic-classification": lambda rng, n: synthetic_classification(rng, n),
    "diabetes": lambda rng, n: diabetes(n, rng),
    "breast-cancer": lambda rng, n: breast_cancer(n, rng),
    "sharp-flat": lambda rng, n: sharp_flat_shifts(rng, n),
    "synthetic-offset": lambda rng, n: offset_regression(rng, n),
}
DATASETS: tuple[str, ...] = tuple(BUILTIN)
FIXED_SIZES: dict[str, int] = {"diabetes": 442, "breast-cancer": 569}
"""Real sets have a fixed number of rows; ``load`` subsamples them for a smaller n."""


def load(name: str, n: int, rng: np.random.Generator) -> Dataset:
    """A built-in dataset by name; real sets are subsampled when ``n`` is below their size."""
    if name not in BUILTIN:
        raise ValueError(f"dataset must be one of {DATASETS}, got {name!r}")
    if n > FIXED_SIZES.get(name, MAX_ROWS):
        raise ValueError(f"n must be between {MIN_ROWS} and {FIXED_SIZES[name]} for {name}, "
                         f"got {n}")
    return BUILTIN[name](rng, n)
