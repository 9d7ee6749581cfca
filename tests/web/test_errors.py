"""422 messages in plain words: the field, what it must be, and what was sent."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(("query", "message"), [
    ("/api/scene?batch_size=0", "batch_size must be at least 1, got 0"),
    ("/api/scene?epochs=500", "epochs must be between 1 and 50 for n=1000 (epochs × n ≤ 50000), "
                              "got 500"),  # the limit that holds for this n, at once
    ("/api/scene?n=100&epochs=300", "epochs must be between 1 and 200, got 300"),
    ("/api/scene?batch_size=abc", "batch_size must be a whole number, got 'abc'"),
    ("/api/scene?lr=abc", "lr must be a finite number, got 'abc'"),
    ("/api/scene?seed=1.5", "seed must be a whole number, got '1.5'"),
    ("/api/scene?schedule=warmup", "schedule must be 'cosine' or 'constant', got 'warmup'"),
    ("/api/dives/sum-vs-mean?b=0", "b must be at least 1, got 0"),
    ("/api/scene?drop_last=maybe", "drop_last must be true or false, got 'maybe'"),
    ("/api/epoch-plan?n=10&batch_size=3&drop_last=2", "drop_last must be true or false, got '2'"),
    # one error for one field, listing every choice (not one per member of a union)
    ("/api/experiments/steps-to-target?dataset=foo",
     "dataset must be 'synthetic', 'synthetic-classification', 'diabetes', 'breast-cancer' or "
     "'synthetic-offset', got 'foo'"),
])
def test_validation_messages_name_field_range_and_value(client: TestClient, query: str,
                                                        message: str) -> None:
    r = client.get(query)
    assert r.status_code == 422
    assert r.json()["detail"] == [{"loc": ["query", message.split()[0]], "msg": message,
                                   "type": r.json()["detail"][0]["type"]}]


def test_echo_of_what_was_sent_is_short(client: TestClient) -> None:
    msg = client.get("/api/scene?dataset=" + "x" * 10_000).json()["detail"][0]["msg"]
    assert msg.startswith("dataset must be 'synthetic'") and len(msg) < 200
