"""IR test collections: TREC SGML documents and topics, TREC qrels, and Cranfield's
.I/.T/.A/.B/.W files, plus load_collection for a whole collection."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CorpusError, Errors
from ..settings import data_dir
from .formats import Format
from .records import Record
from .rejects import Rejects
from .sources import iter_lines

_TAG = re.compile(r"<(/?)([A-Za-z][\w.-]*)[^>]*>")
# Cleverdon's relevance codes (1 = complete answer) as gains (higher = better)
CRANFIELD_GRADES = {1: 4, 2: 3, 3: 2, 4: 1, 5: 0, -1: 0}


@dataclass
class IRCollection:
    """Documents, queries and relevance judgements of one test collection."""

    docs: list[Record]
    queries: list[Record]
    qrels: dict[str, dict[str, int]]
    name: str = ""
    meta: dict = field(default_factory=dict)

    def unknown_ids(self) -> dict[str, list[str]]:
        """Query and document ids in qrels that the collection does not contain."""
        doc_ids = {d.id for d in self.docs}
        query_ids = {q.id for q in self.queries}
        return {
            "queries": sorted(q for q in self.qrels if q not in query_ids),
            "docs": sorted(
                {d for judged in self.qrels.values() for d in judged} - doc_ids
            ),
        }


def read_trec_docs(
    path: str | Path,
    *,
    text_tags: tuple[str, ...] = ("TEXT",),
    title_tags: tuple[str, ...] = ("TITLE", "HEAD", "HEADLINE"),
    rejects: Rejects | None = None,
) -> Iterator[Record]:
    """Read TREC SGML documents (<DOC><DOCNO>id</DOCNO> ... </DOC>), streaming.

    text_tags: elements whose content is the text; when a document has none of
        them, everything but DOCNO (tags removed) is the text.
    title_tags: an element whose content goes to meta["title"].
    RETURNS (Iterator[Record]): id = DOCNO.
    """
    rejects = rejects or Rejects.raising()
    source = str(path)
    for start, lines in _blocks(path, "DOC", rejects):
        block = "\n".join(lines)
        fields = _elements(block)
        doc_id = " ".join(fields.get("DOCNO", [])).strip()
        if not doc_id:
            rejects.add(source, start, "document without <DOCNO>", raw=block[:200])
            continue
        texts = [t for tag in text_tags for t in fields.get(tag, [])]
        if not texts:
            body = re.sub(r"<DOCNO>.*?</DOCNO>", " ", block, flags=re.S | re.I)
            texts = [_TAG.sub(" ", body)]
        title = next((fields[t][0] for t in title_tags if fields.get(t)), None)
        text = _clean("\n".join(texts))
        meta = {"title": _clean(title)} if title else {}
        yield Record(text=text, id=doc_id, meta=meta, source=source, line=start)


TREC_FORMAT = Format("trec", read_trec_docs, (".trec", ".sgml"))


def read_trec_topics(
    path: str | Path,
    *,
    text_fields: tuple[str, ...] = ("title",),
    rejects: Rejects | None = None,
) -> Iterator[Record]:
    """Read TREC topics (<top><num>..</num><title>..</title><desc>..</desc>...</top>).

    Closing tags are optional, as in the classic TREC files ("<num> Number: 301").
    text_fields: the fields joined into the query text (default the title).
    RETURNS (Iterator[Record]): id = num; meta holds title, desc and narr.
    """
    rejects = rejects or Rejects.raising()
    source = str(path)
    for start, lines in _blocks(path, "top", rejects):
        fields = _topic_fields("\n".join(lines))
        num = re.sub(r"^\s*Number:\s*", "", fields.get("num", ""), flags=re.I).strip()
        if not num:
            rejects.add(source, start, "topic without <num>", raw="\n".join(lines))
            continue
        text = " ".join(fields[f] for f in text_fields if fields.get(f))
        if not text:
            rejects.add(
                source, start, f"topic {num} has no {'/'.join(text_fields)} text"
            )
            continue
        meta = {k: v for k, v in fields.items() if k != "num" and v}
        yield Record(text=text, id=num, meta=meta, source=source, line=start)


def read_qrels(
    path: str | Path, *, rejects: Rejects | None = None
) -> dict[str, dict[str, int]]:
    """Read TREC qrels lines `query iteration doc grade` into query -> doc -> grade."""
    qrels: dict[str, dict[str, int]] = {}
    for _, parts, _ in _judgements(path, "query iteration doc grade", rejects):
        qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


def _judgements(path, layout: str, rejects: Rejects | None):
    """(line number, fields, line) of each line that has the fields `layout` names,
    the last an integer; any other non-blank line is rejected."""
    rejects = rejects or Rejects.raising()
    n_fields = len(layout.split())
    for lineno, line in iter_lines(path, rejects=rejects):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != n_fields or not _is_int(parts[-1]):
            rejects.add(path, lineno, f"expected '{layout}' on the line", line)
            continue
        yield lineno, parts, line


def read_cranfield_docs(
    path: str | Path, *, rejects: Rejects | None = None
) -> Iterator[Record]:
    """Read Cranfield's cran.all.1400: .I id, .T title, .A authors, .B source, .W text.

    RETURNS (Iterator[Record]): id = the .I number; text = .W (which repeats the
    title; "" for the collection's empty documents); meta title, author, biblio.
    """
    rejects = rejects or Rejects.raising()
    for start, doc_id, fields in _cranfield_blocks(path, rejects):
        # a few documents (471, 995) are empty in the collection itself: they are
        # kept, with text "", so that ids and counts match the qrels
        text = fields.get("W") or fields.get("T", "")
        meta = {
            key: fields[code]
            for key, code in (("title", "T"), ("author", "A"), ("biblio", "B"))
            if fields.get(code)
        }
        yield Record(text=text, id=doc_id, meta=meta, source=str(path), line=start)


def read_cranfield_queries(
    path: str | Path, *, rejects: Rejects | None = None
) -> Iterator[Record]:
    """Read cran.qry. Ids are positions "1".."225", as cranqrel numbers them (the
    file's own .I numbers skip values); the .I number is kept in meta["qid"]."""
    rejects = rejects or Rejects.raising()
    position = 0
    for start, qid, fields in _cranfield_blocks(path, rejects):
        position += 1
        text = fields.get("W", "")
        if not text:
            rejects.add(path, start, f"query .I {qid} has no .W text")
            continue
        yield Record(
            text=text,
            id=str(position),
            meta={"qid": qid},
            source=str(path),
            line=start,
        )


def read_cranfield_qrels(
    path: str | Path, *, rejects: Rejects | None = None
) -> dict[str, dict[str, int]]:
    """Read cranqrel (`query doc code`), turning Cleverdon's codes into gains:
    1 -> 4, 2 -> 3, 3 -> 2, 4 -> 1, -1 (not relevant) -> 0."""
    rejects = rejects or Rejects.raising()
    qrels: dict[str, dict[str, int]] = {}
    for lineno, parts, line in _judgements(path, "query doc code", rejects):
        code = int(parts[2])
        if code not in CRANFIELD_GRADES:
            rejects.add(path, lineno, f"unknown relevance code {code}", line)
            continue
        qrels.setdefault(parts[0], {})[parts[1]] = CRANFIELD_GRADES[code]
    return qrels


LAYOUTS = {
    "cranfield": ("cran.all.1400", "cran.qry", "cranqrel"),
    "vaswani": ("doc-text.trec", "query-text.trec", "qrels"),
}


def load_collection(
    name_or_dir: str | Path, *, rejects: Rejects | None = None
) -> IRCollection:
    """Load a whole test collection into memory (they are small).

    name_or_dir: "cranfield" or "vaswani" (under nlpkit.settings.data_dir()/ir),
        or a directory holding either layout (cran.all.1400 / cran.qry / cranqrel,
        or TREC docs *.trec, topics and qrels files).
    RETURNS (IRCollection): docs, queries and qrels (query -> doc -> grade).
    """
    path = Path(name_or_dir)
    if not path.is_dir():
        candidate = data_dir() / "ir" / str(name_or_dir)
        if not candidate.is_dir():
            raise CorpusError(
                Errors.E017.format(name=name_or_dir, where=data_dir() / "ir"),
                source=str(name_or_dir),
            )
        path = candidate
    if (path / "cran.all.1400").exists() or (path / "cran.qry").exists():
        docs_f, queries_f, qrels_f = (
            _need(path, "documents", ["cran.all.1400"]),
            _need(path, "queries", ["cran.qry"]),
            _need(path, "qrels", ["cranqrel", "cranqrel.txt"]),
        )
        return IRCollection(
            docs=list(read_cranfield_docs(docs_f, rejects=rejects)),
            queries=list(read_cranfield_queries(queries_f, rejects=rejects)),
            qrels=read_cranfield_qrels(qrels_f, rejects=rejects),
            name=path.name,
        )
    docs_f = _need(path, "documents", ["doc-text.trec", "docs.trec", "documents.trec"])
    queries_f = _need(
        path, "topics", ["query-text.trec", "topics.trec", "queries.trec", "topics"]
    )
    qrels_f = _need(path, "qrels", ["qrels", "qrels.txt", "qrels.trec"])
    return IRCollection(
        docs=list(read_trec_docs(docs_f, rejects=rejects)),
        queries=list(read_trec_topics(queries_f, rejects=rejects)),
        qrels=read_qrels(qrels_f, rejects=rejects),
        name=path.name,
    )


def _need(path: Path, what: str, names: list[str]) -> Path:
    for name in names:
        if (path / name).is_file():
            return path / name
    raise CorpusError(
        Errors.E018.format(what=what, path=path, names=", ".join(names)),
        source=str(path),
    )


def _blocks(path, tag: str, rejects: Rejects) -> Iterator[tuple[int, list[str]]]:
    """(start line, lines) of each <tag>...</tag> block, case-insensitive, streaming."""
    open_re = re.compile(rf"<{tag}\b[^>]*>", re.I)
    close_re = re.compile(rf"</{tag}\s*>", re.I)
    lines: list[str] | None = None
    start = 0
    for lineno, line in iter_lines(path, rejects=rejects):
        rest = line
        while rest:
            if lines is None:
                m = open_re.search(rest)
                if not m:
                    break
                lines, start, rest = [], lineno, rest[m.end() :]
                continue
            m = close_re.search(rest)
            if m:
                lines.append(rest[: m.start()])
                yield start, lines
                lines, rest = None, rest[m.end() :]
                continue
            lines.append(rest)
            break
        else:
            if lines is not None:
                lines.append("")
    if lines is not None:
        rejects.add(path, start, f"<{tag}> opened here is never closed")


def _elements(block: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in re.finditer(r"<([A-Za-z][\w.-]*)[^>]*>(.*?)</\1\s*>", block, re.S):
        out.setdefault(m.group(1).upper(), []).append(_TAG.sub(" ", m.group(2)))
    return out


def _topic_fields(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    parts = re.split(r"<(/?)([A-Za-z]+)[^>]*>", block)
    current = None
    for i in range(0, len(parts)):
        if i % 3 == 0:
            if current is not None and parts[i].strip():
                fields[current] = _clean(
                    (fields.get(current, "") + " " + parts[i]).strip()
                )
        elif i % 3 == 2:
            closing = parts[i - 1] == "/"
            current = None if closing else parts[i].lower()
    for key in ("title", "desc", "narr"):
        if key in fields:
            fields[key] = re.sub(
                r"^(Topic|Description|Narrative):\s*", "", fields[key], flags=re.I
            )
    return fields


def _cranfield_blocks(
    path, rejects: Rejects
) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(start line, .I id, {field letter: text}) per record; repeated fields join."""
    start, doc_id = 0, None
    fields: dict[str, list[str]] = {}
    current = None
    for lineno, line in iter_lines(path, rejects=rejects):
        m = re.match(r"^\.([A-Z])\b\s*(.*)$", line)
        if m and m.group(1) == "I":
            if doc_id is not None:
                yield start, doc_id, _join(fields)
            start, doc_id, fields, current = lineno, m.group(2).strip(), {}, None
        elif m and m.group(1) in "TABW" and not m.group(2).strip():
            current = m.group(1)
            fields.setdefault(current, [])
        elif doc_id is None:
            if line.strip():
                rejects.add(path, lineno, "text before the first .I line", line)
        elif current is not None:
            fields[current].append(line)
    if doc_id is not None:
        yield start, doc_id, _join(fields)


def _join(fields: dict[str, list[str]]) -> dict[str, str]:
    return {k: _clean("\n".join(v)) for k, v in fields.items()}


def _clean(text: str) -> str:
    return re.sub(
        r"[ \t]+", " ", "\n".join(s.strip() for s in text.splitlines())
    ).strip()


def _is_int(value: str) -> bool:
    return value.lstrip("-").isdigit()
