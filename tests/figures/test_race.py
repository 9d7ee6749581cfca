"""Static figures draw exactly the recorded trajectories, each method with its own look."""

import json

import numpy as np
import pytest

from batchlab.cli import main
from batchlab.core.scene import SceneSpec, build
from batchlab.figures import loss_figure, race_figure


@pytest.fixture(scope="module")
def scene():
    return build(SceneSpec(n=200, epochs=3))


def test_race_figure_draws_the_real_paths_and_the_minimum(scene):
    fig = race_figure(scene)
    paths = [t for t in fig.data if t.type == "scatter" and t.mode == "lines"]
    assert len(paths) == 3
    for trace, m in zip(paths, scene.methods, strict=True):
        np.testing.assert_array_equal(trace.x, m.trajectory.params[:, 0])
        np.testing.assert_array_equal(trace.y, m.trajectory.params[:, 1])
    assert len({t.line.dash for t in paths}) == 3 and len({t.line.color for t in paths}) == 3
    star = next(t for t in fig.data if t.name == "minimum")
    assert star.marker.symbol == "star"
    assert (star.x[0], star.y[0]) == tuple(scene.minimum)


def test_loss_figure_uses_epochs_on_x(scene):
    fig = loss_figure(scene)
    full = fig.data[0]
    np.testing.assert_allclose(full.x, np.arange(4))


def test_cli_exports_html_and_json(tmp_path, capsys):
    assert main(["figure", "race", "--out", str(tmp_path / "r.json"), "--n", "50",
                 "--epochs", "1"]) == 0
    assert len(json.loads((tmp_path / "r.json").read_text())["data"]) >= 4
    assert main(["figure", "loss", "--out", str(tmp_path / "l.html"), "--n", "50",
                 "--epochs", "1"]) == 0
    html = (tmp_path / "l.html").read_text()
    assert "<script" in html and '<script src="http' not in html  # plotly.js is inlined


def test_cli_rejects_unknown_suffix(tmp_path, capsys):
    assert main(["figure", "race", "--out", str(tmp_path / "r.gif")]) == 2
    assert "argument --out: must end in" in capsys.readouterr().err
