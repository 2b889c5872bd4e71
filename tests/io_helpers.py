"""Helpers shared by the corpus I/O tests."""

import json
from pathlib import Path

import pytest

from nlpkit.errors import CorpusError
from nlpkit.io import Rejects, read_rejects


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def read_strict_and_lenient(read, path, match, **options):
    """Check that a strict read raises a CorpusError matching `match`; RETURNS the
    records and the rejects-file entries of a lenient read of the same file."""
    with pytest.raises(CorpusError, match=match):
        list(read(path, **options))
    rejects_path = Path(path).with_name(f"{Path(path).name}.rejects")
    with Rejects(rejects_path) as rejects:
        records = list(read(path, rejects=rejects, **options))
    entries = read_rejects(rejects_path) if rejects_path.exists() else []
    return records, entries
