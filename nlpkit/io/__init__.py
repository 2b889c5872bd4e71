"""Corpus readers and writers. Readers stream Records; bad records go to Rejects.

Reader modules load on first use (a format's reader when the format is first
read), so importing nlpkit.io is cheap.
"""

from .._lazy import by_name, lazy_exports

_LAZY = by_name(
    {
        "nlpkit.io.archive": ("read_zip",),
        "nlpkit.io.conll": ("read_iob",),
        "nlpkit.io.csv": ("read_csv", "read_tsv"),
        "nlpkit.io.docbin": ("DocBinWriter", "read_docbin"),
        "nlpkit.io.formats": (
            "FORMATS",
            "Format",
            "detect_format",
            "read_corpus",
            "register_format",
        ),
        "nlpkit.io.jsonl": ("read_jsonl",),
        "nlpkit.io.options": ("READER_DEFAULTS", "ReaderOptions"),
        "nlpkit.io.parquet": ("ParquetWriter", "read_parquet"),
        "nlpkit.io.records": ("Record", "check_length"),
        "nlpkit.io.rejects": ("ReadStats", "Rejects", "read_rejects"),
        "nlpkit.io.sources": ("expand_inputs", "iter_lines"),
        "nlpkit.io.text": ("read_text",),
        "nlpkit.io.textcat": ("read_labelled_lines",),
        "nlpkit.io.writers": ("WRITERS", "JsonlWriter", "open_writer"),
    }
)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = sorted(_LAZY)
