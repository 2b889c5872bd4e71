"""IOB/CoNLL NER files: one token per line, tag in the last column, blank lines
between sentences, optional -DOCSTART- lines between documents."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import Errors
from .formats import Format
from .options import READER_DEFAULTS
from .records import Record
from .rejects import Rejects
from .sources import BOM, iter_raw_lines, open_binary

logger = logging.getLogger("nlpkit")

Scheme = Literal["auto", "iob1", "iob2", "bilou"]
SCHEMES = ("auto", "iob1", "iob2", "bilou")
DOCSTART = "-DOCSTART-"
PREFIXES = {"B": "B", "I": "I", "L": "L", "E": "L", "U": "U", "S": "U"}
_PEEK_LINES = 5000


@dataclass
class Sentence:
    line: int
    words: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    error: tuple[int, str] | None = None


def read_iob(
    path: str | Path,
    *,
    scheme: Scheme = READER_DEFAULTS.scheme,
    columns: tuple[int, int] | list[int] | None = None,
    token_prefix: str | None = READER_DEFAULTS.token_prefix,
    n_sents: int = READER_DEFAULTS.n_sents,
    delimiter: str | None = None,
    rejects: Rejects | None = None,
) -> Iterator[Record]:
    """Read an IOB/CoNLL file as token records with entity spans.

    scheme: "iob1", "iob2" (BIO), "bilou" (BILOU or BIOES) or "auto", which looks
        at the first tagged lines: L-/U-/E-/S- tags mean BILOU, an entity that
        starts with B- means IOB2, one that starts with I- means IOB1.
    columns: (token column, tag column), 0-based; default first and last.
    token_prefix: a prefix every token carries and that is removed (WikiANN's
        "en:"); a token without it rejects its sentence.
    n_sents: sentences per record; 0 puts a whole -DOCSTART- document in one record.
    delimiter: column separator; default a tab if the line has one, else spaces.
    RETURNS (Iterator[Record]): words + ents (token offsets); id '<file>:<line>'.
    """
    if scheme not in SCHEMES:
        raise ValueError(Errors.E010.format(scheme=scheme, known=", ".join(SCHEMES)))
    if n_sents < 0:
        raise ValueError(Errors.E011.format(n_sents=n_sents))
    rejects = rejects or Rejects.raising()
    source = str(path)
    name = Path(path).name
    tok_col, tag_col = (0, -1) if columns is None else tuple(columns)
    if scheme == "auto":
        scheme = detect_scheme(path, tag_col=tag_col, delimiter=delimiter)
        logger.debug("%s: detected tag scheme %s", source, scheme)
    group: list[tuple[Sentence, list[tuple[int, int, str]]]] = []
    doc_index = 0
    sentences = _sentences(path, tok_col, tag_col, delimiter, token_prefix, rejects)
    for item in sentences:
        if item is None:  # -DOCSTART-
            if group:
                yield _record(group, name, source, doc_index)
                group = []
            doc_index += 1
            continue
        sent = item
        if sent.error is None:
            try:
                ents = decode_tags(sent.tags, scheme, lines=sent.lines)
            except ValueError as err:
                sent.error = (sent.line, str(err))
        if sent.error is not None:
            line, reason = sent.error
            raw = "\n".join(f"{w}\t{t}" for w, t in zip(sent.words, sent.tags))
            rejects.add(source, line, reason, raw=raw)
            continue
        group.append((sent, ents))
        if n_sents and len(group) >= n_sents:
            yield _record(group, name, source, doc_index)
            group = []
    if group:
        yield _record(group, name, source, doc_index)


IOB_FORMAT = Format("iob", read_iob, (".iob", ".bio", ".bilou"))
CONLL_FORMAT = Format("conll", read_iob, (".conll",))


def _record(group, name: str, source: str, doc_index: int) -> Record:
    words: list[str] = []
    ents: list[tuple[int, int, str]] = []
    for sent, sent_ents in group:
        offset = len(words)
        words.extend(sent.words)
        ents.extend((s + offset, e + offset, label) for s, e, label in sent_ents)
    first = group[0][0].line
    meta = {"n_sents": len(group)} if len(group) > 1 else {}
    if doc_index:
        meta["doc_index"] = doc_index
    return Record(
        words=words,
        spaces=[True] * (len(words) - 1) + [False],
        ents=ents,
        id=f"{name}:{first}",
        meta=meta,
        source=source,
        line=first,
    )


def _split(text: str, delimiter: str | None) -> list[str]:
    if delimiter is not None:
        return text.split(delimiter)
    return text.split("\t") if "\t" in text else text.split()


def _lines(
    path, rejects: Rejects | None = None
) -> Iterator[tuple[int, str | None, str]]:
    """(line number, text or None, reason when the line is not UTF-8)."""
    with open_binary(path) as stream:
        for lineno, raw in iter_raw_lines(stream, str(path), rejects):
            try:
                text = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as err:
                yield (
                    lineno,
                    None,
                    f"invalid UTF-8 at byte {err.start} of line {lineno}",
                )
                continue
            if lineno == 1 and text.startswith(BOM):
                text = text[1:]
            yield lineno, text, ""


def _sentences(
    path,
    tok_col: int,
    tag_col: int,
    delimiter: str | None,
    token_prefix: str | None,
    rejects: Rejects | None = None,
) -> Iterator[Sentence | None]:
    """Sentences (with the first error found in them, if any); None at -DOCSTART-."""
    ncols = None
    sent: Sentence | None = None
    for lineno, text, bad in _lines(path, rejects):
        # a stray byte-order mark alone on a line (concatenated files) is blank
        if text is not None and not text.replace(BOM, "").strip():
            if sent is not None:
                yield sent
            sent = None
            continue
        if text is not None:
            cols = [c.strip() for c in _split(text, delimiter)]
            if cols[0] == DOCSTART:
                if sent is not None:
                    yield sent
                sent = None
                yield None
                continue
        if sent is None:
            sent = Sentence(line=lineno)
        if sent.error is not None:
            continue
        if text is None:
            sent.error = (lineno, bad)
            continue
        if ncols is None and len(cols) >= 2:
            ncols = len(cols)
        if len(cols) != ncols:
            sent.error = (
                lineno,
                f"line {lineno} has {len(cols)} column(s), expected {ncols or 'at least 2'} "
                f"(as on the first line of the file): {text!r}",
            )
            continue
        try:
            word, tag = cols[tok_col], cols[tag_col]
        except IndexError:
            sent.error = (lineno, f"line {lineno} has no column {tok_col} or {tag_col}")
            continue
        if token_prefix:
            if not word.startswith(token_prefix) or len(word) == len(token_prefix):
                sent.error = (
                    lineno,
                    f"token {word!r} on line {lineno} lacks the prefix "
                    f"{token_prefix!r} (or is empty without it)",
                )
                continue
            word = word[len(token_prefix) :]
        if not word:
            sent.error = (lineno, f"empty token on line {lineno}")
            continue
        sent.words.append(word)
        sent.tags.append(tag)
        sent.lines.append(lineno)
    if sent is not None:
        yield sent


def split_tag(tag: str) -> tuple[str, str]:
    """('O', '') or (normalised prefix B/I/L/U, label); ValueError if malformed."""
    if tag == "O":
        return "O", ""
    if len(tag) > 2 and tag[1] in "-_" and tag[0] in PREFIXES:
        return PREFIXES[tag[0]], tag[2:]
    raise ValueError(
        f"unknown tag {tag!r} (expected O, or B-/I-/L-/U-/E-/S- and a label)"
    )


def decode_tags(
    tags: list[str], scheme: str, *, lines: list[int] | None = None
) -> list[tuple[int, int, str]]:
    """Entity spans [start, end) from one sentence's tags; ValueError if invalid."""
    lines = lines or list(range(1, len(tags) + 1))
    ents: list[tuple[int, int, str]] = []
    start, label = None, ""

    def close(end: int) -> None:
        nonlocal start, label
        if start is not None:
            ents.append((start, end, label))
        start, label = None, ""

    for i, tag in enumerate(tags):
        try:
            prefix, lab = split_tag(tag)
        except ValueError as err:
            raise ValueError(f"{err} on line {lines[i]}") from None
        prev = tags[i - 1] if i else "sentence start"
        if scheme in ("iob1", "iob2") and prefix in "LU":
            raise ValueError(
                f"tag {tag!r} on line {lines[i]} is not {scheme.upper()}; "
                "pass scheme='bilou' for BILOU/BIOES files"
            )
        if prefix == "O":
            if scheme == "bilou" and start is not None:
                raise _unclosed(label, lines[start], lines[i])
            close(i)
        elif prefix == "B":
            if scheme == "bilou" and start is not None:
                raise _unclosed(label, lines[start], lines[i])
            close(i)
            start, label = i, lab
        elif prefix == "I":
            if start is not None and lab == label:
                continue
            if scheme == "iob1":
                close(i)
                start, label = i, lab
                continue
            hint = " (IOB1 allows this: pass scheme='iob1')" if scheme == "iob2" else ""
            raise ValueError(
                f"invalid tag sequence: {tag!r} on line {lines[i]} follows "
                f"{prev!r}, not B-{lab} or I-{lab}{hint}"
            )
        elif prefix == "L":
            if start is None or lab != label:
                raise ValueError(
                    f"invalid tag sequence: {tag!r} on line {lines[i]} follows "
                    f"{prev!r}, not B-{lab} or I-{lab}"
                )
            close(i + 1)
        elif prefix == "U":
            if start is not None:
                raise _unclosed(label, lines[start], lines[i])
            ents.append((i, i + 1, lab))
    if scheme == "bilou" and start is not None:
        raise _unclosed(label, lines[start], None)
    close(len(tags))
    return ents


def _unclosed(label: str, start_line: int, line: int | None) -> ValueError:
    where = f"before line {line}" if line is not None else "at the end of the sentence"
    return ValueError(
        f"invalid tag sequence: {label} entity opened on line {start_line} is not "
        f"closed with L-{label} {where}"
    )


def detect_scheme(
    path, *, tag_col: int = -1, delimiter: str | None = None, max_lines=_PEEK_LINES
) -> str:
    """Guess the tag scheme from the first lines of a file (see read_iob)."""
    prev = "O"
    found = None
    for lineno, text, _ in _lines(path):
        if lineno > max_lines:
            break
        if not text or not text.replace(BOM, "").strip():
            prev = "O"
            continue
        cols = _split(text, delimiter)
        if cols[0] == DOCSTART or len(cols) < 2:
            continue
        try:
            prefix, lab = split_tag(cols[tag_col].strip())
        except (ValueError, IndexError):
            continue
        if prefix in "LU":
            return "bilou"
        if found is None and prefix in "BI" and (prev == "O" or prev[2:] != lab):
            found = "iob2" if prefix == "B" else "iob1"
        prev = cols[tag_col].strip()
    return found or "iob2"
