"""The result store: atomic records, stable keys, resumable pending lists, safe names."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from batchlab.lab import store
from batchlab.lab.trials import SweepTrial


def test_records_round_trip_and_pending(tmp_path: Path) -> None:
    trials = [SweepTrial(batch_size=b) for b in (4, 8, 16)]
    store.save_record(tmp_path, trials[1], {"x": math.inf, "y": (1, 2.5)}, 0.1)
    recs = store.load_records(tmp_path)
    assert len(recs) == 1 and recs[0]["result"] == {"x": None, "y": [1, 2.5]}
    assert recs[0]["config"]["batch_size"] == 8
    assert store.pending(tmp_path, trials) == [trials[0], trials[2]]
    assert not list((tmp_path / store.TRIALS).glob(".*"))  # no temporary files left


def test_keys_are_stable_and_distinct() -> None:
    a, b = SweepTrial(lr=0.1), SweepTrial(lr=0.1)
    assert store.trial_key(a) == store.trial_key(b) == store.trial_key(
        json.loads(json.dumps(store.clean(a))))
    assert store.trial_key(a) != store.trial_key(SweepTrial(lr=0.2))
    assert len(store.trial_key(a)) == 16


def test_malformed_records_are_skipped(tmp_path: Path) -> None:
    folder = tmp_path / store.TRIALS
    folder.mkdir()
    (folder / "a.json").write_text("{not json")
    (folder / "b.json").write_text('{"config": 3, "result": {}}')
    (folder / "c.json").write_bytes(b"\xff\xfe")
    store.save_record(tmp_path, {"k": 1}, {"ok": True}, 0.0)
    assert [r["result"] for r in store.load_records(tmp_path)] == [{"ok": True}]


def test_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    store.write_json(p, {"a": 1})
    with pytest.raises(TypeError):
        store.write_json(p, {"a": object()})
    assert json.loads(p.read_text()) == {"a": 1}
    assert [q.name for q in tmp_path.iterdir()] == ["x.json"]


def test_names_and_paths(tmp_path: Path) -> None:
    (tmp_path / "ok-run").mkdir()
    store.write_json(tmp_path / "ok-run" / store.META, {})
    (tmp_path / "no-meta").mkdir()
    assert store.list_results(tmp_path) == ["ok-run"]
    assert store.safe_child(tmp_path, "ok-run") == (tmp_path / "ok-run").resolve()
    for bad in ("..", "../x", "a/b", "", ".hidden", "x" * 200, "a\\b"):
        assert store.safe_child(tmp_path, bad) is None
    assert store.cell(1 / 3) == "0.3333" and store.cell(None) == "-"
    assert store.cell([1.0, math.nan]) == "[1, nan]"
