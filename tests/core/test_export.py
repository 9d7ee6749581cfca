"""JSON views of scenes and plans."""

import json

import numpy as np

from batchlab.core.batching import make_plan
from batchlab.core.export import plan_to_dict, scene_to_dict
from batchlab.core.scene import SceneSpec, build


def test_scene_dict_is_strict_json_and_consistent():
    s = build(SceneSpec(n=100, epochs=2, lr=5.0))
    d = json.loads(json.dumps(scene_to_dict(s, digits=6), allow_nan=False))
    for m, rec in zip(s.methods, d["methods"], strict=True):
        t = m.trajectory
        assert len(rec["w"]) == len(rec["loss"]) == len(rec["examples"]) == t.updates + 1
        assert rec["diverged"] == t.diverged
        assert len(rec["batch_start"]) == t.updates
        k = min(3, t.updates)
        if k:
            idx = rec["order"][rec["batch_start"][k - 1]:rec["batch_end"][k - 1]]
            assert idx == t.batch(k).tolist()


def test_expanded_batches():
    s = build(SceneSpec(n=20, epochs=1, batch_size=6))
    mini = scene_to_dict(s, expand_batches=True)["methods"][1]
    assert [len(b) for b in mini["batches"]] == [6, 6, 6, 2]
    assert sorted(i for b in mini["batches"] for i in b) == list(range(20))


def test_plan_dict():
    d = plan_to_dict(make_plan(10, 3, 1, np.random.default_rng(0), drop_last=True), True)
    assert d["iterations_per_epoch"] == 3 and len(d["batches"]) == 3
