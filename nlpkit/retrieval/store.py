"""Documents held by an index, and the folder files of an index (no pickle).

A leaf module: it knows no index class. Opening an index of any kind is
load_index in base.py (still importable from here).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Errors, IndexLoadError

FORMAT_VERSION = 1
META_FILE = "nlpkit_index.json"
DOCS_FILE = "docs.jsonl"


@dataclass
class Document:
    """A document as an index keeps it: id, text and meta."""

    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


def as_documents(items: Iterable[Any], *, with_title: bool = True) -> list[Document]:
    """Documents from Records, dicts, (id, text) pairs or strings, checking ids.

    items (Iterable): Record, dict with id/text, (id, text) tuple or str (id = index).
    with_title (bool): put meta["title"] before the text when it is not already in it.
    RETURNS (list[Document]): the documents, in order.
    """
    docs: list[Document] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        place = str(i)
        if isinstance(item, Document):
            doc = Document(item.id, item.text, dict(item.meta))
        elif isinstance(item, str):
            doc = Document(str(i), item)
        elif isinstance(item, tuple):
            doc = Document(str(item[0]), str(item[1]))
        elif isinstance(item, dict):
            meta = {k: v for k, v in item.items() if k not in ("id", "text", "meta")}
            meta.update(item.get("meta") or {})
            doc = Document(str(item.get("id", i)), str(item.get("text") or ""), meta)
        else:  # a Record
            place = getattr(item, "place", place)
            doc_id = item.id if item.id is not None else str(i)
            doc = Document(str(doc_id), item.get_text(), dict(item.meta))
        title = doc.meta.get("title")
        if with_title and title and title.strip() not in doc.text:
            doc.text = f"{title.strip()}\n{doc.text}"
        if doc.id in seen:
            raise ValueError(Errors.E311.format(id=doc.id, place=place))
        seen.add(doc.id)
        docs.append(doc)
    return docs


def index_documents(items: Iterable[Any], *, with_title: bool = True) -> list[Document]:
    """as_documents for a new index: no documents at all raises E312."""
    docs = as_documents(items, with_title=with_title)
    if not docs:
        raise ValueError(Errors.E312.format(where=""))
    return docs


def write_docs(path: Path, docs: list[Document]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for doc in docs:
            row = {"id": doc.id, "text": doc.text, "meta": doc.meta}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_docs(path: Path) -> list[Document]:
    if not path.exists():
        raise IndexLoadError(
            Errors.E305.format(path=path.parent, reason=f"{path.name} is missing")
        )
    docs = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                row = json.loads(line)
                docs.append(
                    Document(str(row["id"]), row["text"], row.get("meta") or {})
                )
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise IndexLoadError(
                    Errors.E305.format(
                        path=path.parent, reason=f"{path.name} line {n}: {err}"
                    )
                ) from None
    return docs


def write_meta(path: Path, kind: str, **cfg: Any) -> None:
    meta = {"kind": kind, "format_version": FORMAT_VERSION, **cfg}
    (path / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")


def read_meta(path: str | Path, kind: str | None = None) -> dict[str, Any]:
    """The index's metadata, checking that the folder is an index of the right kind."""
    path = Path(path)
    if not path.is_dir():
        raise IndexLoadError(Errors.E304.format(path=path, reason="no such folder"))
    meta_path = path / META_FILE
    if not meta_path.exists():
        raise IndexLoadError(
            Errors.E304.format(path=path, reason=f"{META_FILE} is missing")
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        found = meta["kind"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as err:
        reason = f"{META_FILE} is not valid ({err})"
        raise IndexLoadError(Errors.E305.format(path=path, reason=reason)) from None
    if kind is not None and found != kind:
        reason = f"it holds a '{found}' index, not '{kind}'"
        raise IndexLoadError(Errors.E304.format(path=path, reason=reason))
    return meta


def prepare_dir(path: str | Path, overwrite: bool = True) -> Path:
    """An empty folder to save an index into (an old index there is replaced)."""
    path = Path(path)
    if path.exists():
        if not overwrite:
            raise FileExistsError(Errors.E008.format(path=path))
        if path.is_dir() and (path / META_FILE).exists():
            shutil.rmtree(path)
        elif path.is_dir() and not any(path.iterdir()):
            pass
        else:
            raise FileExistsError(
                Errors.E304.format(
                    path=path, reason="it exists and is not an index; not overwriting"
                )
            )
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_query(query: str, where: str = "") -> str:
    if not isinstance(query, str) or not query.strip():
        raise ValueError(Errors.E301.format(where=where))
    return query


def check_queries(queries: Sequence[str], k: int | None = None) -> list[str]:
    """Every query non-empty (E301 names the first bad one) and k valid."""
    if k is not None:
        check_k(k)
    return [check_query(q, f" (query {i})") for i, q in enumerate(queries)]


def check_k(k: int, name: str = "k") -> int:
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(Errors.E025.format(name=name, rule="an integer >= 1", value=k))
    return k


def __getattr__(name: str):
    # load_index moved to base.py; importing it lazily keeps this module a leaf
    if name == "load_index":
        from .base import load_index

        return load_index
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
