"""The result store: atomic records, stable keys, resumable pending lists, safe names."""

from __future__ import annotations

import json
import math
import os
import stat
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


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_get_the_umask_mode_not_0600(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        store.write_json(tmp_path / store.META, {"kind": "sweep"})
        store.save_record(tmp_path, {"k": 1}, {"ok": True}, 0.0)
    finally:
        os.umask(old)
    for p in [tmp_path / store.META, *(tmp_path / store.TRIALS).iterdir()]:
        assert stat.S_IMODE(p.stat().st_mode) == mode, p


def test_discard_if_empty_removes_only_a_meta_without_records(tmp_path: Path) -> None:
    run = tmp_path / "run"
    store.write_json(run / store.META, {"kind": "sweep"})
    assert store.list_results(tmp_path) == ["run"]
    assert store.discard_if_empty(run) and not (run / store.META).exists()
    assert store.list_results(tmp_path) == []  # the /lab page no longer lists it
    store.write_json(run / store.META, {"kind": "sweep"})
    store.save_record(run, {"k": 1}, {"ok": True}, 0.0)
    assert not store.discard_if_empty(run) and (run / store.META).is_file()
