"""Noise scale: exact values against the per-example loop; the two-batch estimator's
algebra, its stated finite-population bias, and its intervals."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from batchlab.lab.noise import (
    batch_gradient_sq,
    coefficient,
    exact_noise,
    solve_two_batch,
    two_batch_estimate,
)
from batchlab.lab.pergrad import loop_gradients
from batchlab.lab.workloads import fresh_model, resolve, with_dtype


@pytest.mark.parametrize(("name", "rows"), [("digits-mlp", 300), ("digits-cnn", 120),
                                            ("cancer-logreg", 569)])
def test_exact_noise_matches_the_loop(name: str, rows: int) -> None:
    w = with_dtype(resolve(name), torch.float64)
    model = fresh_model(w, 1)
    x, y = w.x[:rows], w.y[:rows]
    g = loop_gradients(model, w.loss, x, y)
    mean = g.mean(0)
    tr = float(((g - mean) ** 2).sum(1).mean())  # tr Σ with the 1/N convention
    ns = exact_noise(model, w.loss, x, y)
    assert ns.n == rows
    assert ns.tr_sigma == pytest.approx(tr, rel=1e-6)
    assert ns.g2 == pytest.approx(float(mean @ mean), rel=1e-6)
    assert ns.b_simple == pytest.approx(tr / float(mean @ mean), rel=1e-6)


def test_float32_agrees_with_float64() -> None:
    w = resolve("digits-mlp")
    model = fresh_model(w, 0)
    ns32 = exact_noise(model, w.loss, w.x, w.y)
    ns64 = exact_noise(copy.deepcopy(model).double(), w.loss, w.x.double(), w.y)
    assert ns32.b_simple == pytest.approx(ns64.b_simple, rel=1e-4)


def test_solver_inverts_the_expectations() -> None:
    n, g2, tr = 500, 0.3, 40.0
    for corr in ("finite", "none"):
        s = {b: g2 + coefficient(n, b, corr) * tr for b in (8, 128)}  # type: ignore[arg-type]
        eg2, etr = solve_two_batch(n, 8, 128, np.array([s[8]]), np.array([s[128]]), corr)
        assert eg2[0] == pytest.approx(g2) and etr[0] == pytest.approx(tr)


def test_one_over_b_formula_has_the_stated_bias() -> None:
    """Without replacement E|g_b|² uses c(b) = (N−b)/(b(N−1)); the 1/b formula then gives
    tr Σ·N/(N−1) and |G|² − tr Σ/(N−1)."""
    n, g2, tr = 200, 0.01, 50.0
    s = {b: np.array([g2 + coefficient(n, b, "finite") * tr]) for b in (4, 64)}
    bg2, btr = solve_two_batch(n, 4, 64, s[4], s[64], "none")
    assert btr[0] == pytest.approx(tr * n / (n - 1))
    assert bg2[0] == pytest.approx(g2 - tr / (n - 1))
    assert bg2[0] < 0  # the negative-|G|² pitfall, explained


def test_batch_gradient_expectation_without_replacement() -> None:
    """Monte Carlo check of E|g_b|² = |G|² + c(b)·tr Σ on a real model."""
    w = with_dtype(resolve("cancer-logreg"), torch.float64)
    model = fresh_model(w, 0)
    ns = exact_noise(model, w.loss, w.x, w.y)
    rng = np.random.default_rng(0)
    b = 16
    draws = []
    for _ in range(3000):
        idx = torch.from_numpy(rng.choice(w.n, b, replace=False))
        draws.append(batch_gradient_sq(model, w.loss, w.x[idx], w.y[idx]))
    v = np.array(draws)
    expected = ns.g2 + coefficient(w.n, b, "finite") * ns.tr_sigma
    assert abs(v.mean() - expected) < 4 * v.std() / np.sqrt(v.size)


def test_two_batch_estimate_covers_the_exact_values() -> None:
    w = with_dtype(resolve("cancer-logreg"), torch.float64)
    model = fresh_model(w, 0)
    ns = exact_noise(model, w.loss, w.x, w.y)
    est = two_batch_estimate(model, w.loss, w.x, w.y, 8, 128, 400, np.random.default_rng(3))
    assert est.tr_sigma_ci[0] < ns.tr_sigma < est.tr_sigma_ci[1]
    assert est.g2_ci[0] < ns.g2 < est.g2_ci[1]
    assert est.b_simple_ci[0] < ns.b_simple < est.b_simple_ci[1]
    again = two_batch_estimate(model, w.loss, w.x, w.y, 8, 128, 400, np.random.default_rng(3))
    assert again == est
    with pytest.raises(ValueError, match="b_small < b_big"):
        two_batch_estimate(model, w.loss, w.x, w.y, 128, 8, 10, np.random.default_rng(0))
