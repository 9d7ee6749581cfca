"""The default scene must make the lesson's picture true and measurable."""

import numpy as np
import pytest

from batchlab.core.scene import RECOMMENDED, WIDE, SceneSpec, build, roughness, span


@pytest.fixture(scope="module")
def scene():
    return build(SceneSpec())


def test_default_scene_roughness_is_ordered_full_mini_stochastic(scene):
    r = {m.key: roughness(m.trajectory) for m in scene.methods}
    assert r["full"] < r["mini"] < r["stochastic"]


def test_every_default_path_ends_within_2_percent_of_the_span(scene):
    for m in scene.methods:
        dist = float(np.linalg.norm(m.trajectory.final - scene.minimum))
        assert dist < 0.02 * span(scene), m.key


def test_starts_upper_left_below_right(scene):
    w0, b0 = scene.minimum
    full, mini, sto = (scene.method(k).trajectory.params[0] for k in ("full", "mini", "stochastic"))
    assert full[0] < w0 and full[1] > b0
    assert mini[1] < b0 and abs(mini[0] - w0) < abs(mini[1] - b0)
    assert sto[0] > w0 and abs(sto[1] - b0) < abs(sto[0] - w0)


def test_batch_sizes_and_update_counts(scene):
    n = scene.dataset.n
    assert n == 1000
    counts = {m.key: (m.batch_size, m.trajectory.updates) for m in scene.methods}
    e = SceneSpec().epochs
    assert counts == {"full": (1000, e), "mini": (32, e * 32), "stochastic": (1, e * 1000)}


def test_same_spec_same_scene():
    a, b = build(SceneSpec(seed=3, epochs=2)), build(SceneSpec(seed=3, epochs=2))
    for ma, mb in zip(a.methods, b.methods, strict=True):
        np.testing.assert_array_equal(ma.trajectory.params, mb.trajectory.params)


@pytest.mark.parametrize("dataset", sorted(RECOMMENDED))
def test_recommended_settings_reach_the_minimum(dataset):
    s = build(SceneSpec(dataset=dataset, **RECOMMENDED[dataset]))  # type: ignore[arg-type]
    for m in s.methods:
        t = m.trajectory
        dist = float(np.linalg.norm(t.final - s.minimum))
        if dataset == "breast-cancer" and m.key == "full":  # the long valley: still descending
            assert np.all(np.diff(t.loss) < 0) and dist < 0.25 * span(s)
        else:
            assert dist < 0.03 * span(s), (dataset, m.key)


def test_diverging_rate_keeps_finite_scene():
    s = build(SceneSpec(lr=5.0, epochs=20))
    assert s.method("full").trajectory.diverged
    assert np.all(np.isfinite(s.grid.loss))


@pytest.mark.parametrize(("values", "msg"), [
    ({"batch_size": 0}, "batch_size must be between 1"),
    ({"n": 100, "batch_size": 101}, "batch_size must be between 1 and n=100"),
    ({"lr": float("nan")}, "lr must be between"),
    ({"dataset": "x"}, "dataset must be one of"),
    ({"epochs": 200, "n": 1000}, "epochs must be between 1 and 50 for n=1000"),
    ({"dataset": "diabetes", "n": 500}, "n must be between 10 and 442 for diabetes"),
    ({"color": 1}, "unknown field 'color'"),
    ({"n": "ten"}, "n must be a int"),
    ({"drop_last": "maybe"}, "drop_last must be true or false"),
])
def test_spec_errors_name_the_field(values, msg):
    with pytest.raises(ValueError, match=msg):
        SceneSpec.from_mapping(values)


def test_from_mapping_coerces_strings():
    s = SceneSpec.from_mapping({"n": "200", "lr": "0.25", "drop_last": "true"})
    assert (s.n, s.lr, s.drop_last) == (200, 0.25, True)


@pytest.mark.parametrize("dataset", sorted(RECOMMENDED))
def test_landscape_box_is_landscape_shaped_and_holds_starts_and_minimum(dataset):
    s = build(SceneSpec.for_dataset(dataset))
    g = s.grid
    assert g.w[-1] - g.w[0] >= WIDE * (g.b[-1] - g.b[0]) * (1 - 1e-12)
    for p in [s.minimum] + [m.trajectory.params[0] for m in s.methods]:
        assert g.w[0] < p[0] < g.w[-1] and g.b[0] < p[1] < g.b[-1]
