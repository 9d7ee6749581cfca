"""Fixtures for the lesson tests: the shipped lesson, and an editable copy of its content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from batchlab.lesson import Lesson, load_lesson
from batchlab.lesson.render import CONTENT_DIR


@pytest.fixture(scope="session")
def lesson() -> Lesson:
    return load_lesson()


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the content folder that a test may break."""
    return Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))
