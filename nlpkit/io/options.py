"""The defaults of the corpus reader options, in one place.

Readers take these as their keyword defaults, read_corpus takes a ReaderOptions,
and the CLI and the spaCy corpus readers read their defaults from here, so no
default is restated anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class ReaderOptions:
    """Options the corpus readers share; each reader takes the ones it knows.

    text_field: JSONL/Parquet field or CSV/TSV column holding the text.
    label_field: JSONL field or CSV/TSV column with the label(s).
    id_field: JSONL/Parquet id field (CSV reads an id column only when named).
    cats_field / spans_field: JSONL fields with {label: score} and entities.
    label_separator: splits a CSV/TSV label field into several labels.
    max_field_lines: CSV/TSV rows whose quoted field spans more lines are rejected.
    scheme / token_prefix / n_sents: IOB/CoNLL tag scheme, a prefix stripped from
        every token (WikiANN's "en:"), sentences per record.
    mode: plain text: one doc per "line", "paragraph" or "file".
    encoding: of whole-file texts in zip archives.
    strict: stop at the first bad record (else it goes to the rejects file); the
        default of commands and spaCy corpora. read_corpus without a Rejects is
        always strict.
    max_length: reject records of more characters (None: no limit).
    """

    text_field: str = "text"
    label_field: str | None = "label"
    id_field: str | None = "id"
    cats_field: str | None = "cats"
    spans_field: str | None = "entities"
    label_separator: str | None = None
    max_field_lines: int | None = 100
    scheme: str = "auto"
    token_prefix: str | None = None
    n_sents: int = 1
    mode: str = "line"
    encoding: str = "utf-8"
    strict: bool = False
    max_length: int | None = None

    def changed(self) -> dict[str, Any]:
        """The reader options (not strict or max_length) set away from the default,
        as keyword arguments for read_corpus."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in NOT_READER_OPTIONS
            and getattr(self, f.name) != getattr(READER_DEFAULTS, f.name)
        }

    def replace(self, **changes: Any) -> ReaderOptions:
        """A copy with some options changed; None values are left out (unset)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


NOT_READER_OPTIONS = ("strict", "max_length")
READER_DEFAULTS = ReaderOptions()
