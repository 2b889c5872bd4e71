"""Corpus readers and writers. Readers stream Records; bad records go to Rejects."""

from .archive import read_zip
from .conll import read_iob
from .csv import read_csv, read_tsv
from .docbin import DocBinWriter, read_docbin
from .formats import FORMATS, detect_format, read_corpus, register_format
from .jsonl import read_jsonl
from .parquet import ParquetWriter, read_parquet
from .records import Record, check_length
from .rejects import ReadStats, Rejects, read_rejects
from .sources import expand_inputs, iter_lines
from .text import read_text
from .textcat import read_labelled_lines
from .writers import WRITERS, JsonlWriter, open_writer

__all__ = [
    "FORMATS",
    "WRITERS",
    "DocBinWriter",
    "JsonlWriter",
    "ParquetWriter",
    "ReadStats",
    "Record",
    "Rejects",
    "check_length",
    "detect_format",
    "expand_inputs",
    "iter_lines",
    "open_writer",
    "read_corpus",
    "read_docbin",
    "read_csv",
    "read_iob",
    "read_jsonl",
    "read_labelled_lines",
    "read_parquet",
    "read_rejects",
    "read_text",
    "read_tsv",
    "read_zip",
    "register_format",
]
