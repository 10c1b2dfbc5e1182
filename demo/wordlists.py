"""The demo newsroom's words, kept as data in demo/data/ and read when the demo is built.

Each .txt file holds one entry a line; sections.json maps each section, in menu order, to
the topics its stories are about. Editing those files changes the demo without touching code.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def _lines(name: str) -> list[str]:
    text = (DATA_DIR / f"{name}.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Words:
    sections: dict[str, list[str]]
    first_names: list[str]
    last_names: list[str]
    job_titles: list[str]
    wire_agencies: list[str]
    subjects: list[str]
    verbs: list[str]
    hooks: list[str]
    sentences: list[str]
    tags: list[str]
    comments: list[str]
    replies: list[str]


@cache
def words() -> Words:
    """All the word lists, read once per process."""
    sections = json.loads((DATA_DIR / "sections.json").read_text(encoding="utf-8"))
    lists = {name: _lines(name) for name in Words.__dataclass_fields__ if name != "sections"}
    return Words(sections=sections, **lists)
