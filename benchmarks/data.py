"""The benchmark inputs, built once into benchmarks/.cache (git-ignored).

- "lee": gensim's lee_background.cor (60k words, ships inside gensim): the smoke
  size, so the tests never need the shared data folder;
- "text": the public-domain NLTK texts (inaugural, State of the Union, web text) and
  the movie reviews under NLPKIT_DATA_DIR, one paragraph per line.
Token files are lowercased simple tokens, space-separated, one line per paragraph.
IR collections: Cranfield and Vaswani from NLPKIT_DATA_DIR/ir; "lee" makes a tiny
one (lines as documents, their first six words as queries).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from benchmarks.harness import CACHE, NotAvailable

DIR = CACHE / "inputs"


def require_data(*parts: str) -> Path:
    from nlpkit.settings import data_dir

    path = data_dir().joinpath(*parts)
    if not path.exists():
        raise NotAvailable(
            f"{path} not found: set NLPKIT_DATA_DIR to the shared data folder"
        )
    return path


def _lee_paragraphs():
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf-8") as f:
        yield from (line.strip() for line in f if line.strip())


def nltk_paragraphs(require=require_data):
    """Paragraphs of the NLTK inaugural, State of the Union and web texts."""
    for name in ("inaugural", "state_union", "webtext"):
        with zipfile.ZipFile(require("text", f"{name}.zip")) as zf:
            for member in sorted(zf.namelist()):
                if member.endswith("/") or "README" in member:
                    continue
                text = zf.read(member).decode("utf-8", errors="replace")
                block: list[str] = []
                for line in text.splitlines():
                    if line.strip():
                        block.append(line.strip())
                    elif block:
                        yield " ".join(block)
                        block = []
                if block:
                    yield " ".join(block)


def movie_review_paragraphs(require=require_data):
    """Each movie review as one line of whitespace-normalized text."""
    (path,) = require("textcat", "movie_reviews").glob("*.zip")
    with zipfile.ZipFile(path) as zf:
        for member in sorted(zf.namelist()):
            if member.endswith(".txt"):
                yield " ".join(zf.read(member).decode("utf-8", "replace").split())


def _text_paragraphs():
    yield from nltk_paragraphs()
    yield from movie_review_paragraphs()


def paragraphs(corpus: str):
    if corpus == "lee":
        return _lee_paragraphs()
    if corpus == "text":
        return _text_paragraphs()
    raise ValueError(f"unknown corpus {corpus!r}")


def token_file(corpus: str, max_tokens: int | None) -> tuple[Path, int]:
    """The corpus as a token file, cut after max_tokens tokens; RETURNS (path, n)."""
    from nlpkit.vectors.corpus import simple_tokenize

    DIR.mkdir(parents=True, exist_ok=True)
    path = DIR / f"{corpus}-{max_tokens or 'all'}.tokens.txt"
    count = path.with_suffix(".count")
    if not (path.exists() and count.exists()):
        # Unique temp names: experiments run in parallel (--jobs) may build the same file.
        n, tmp = 0, path.with_name(f"{path.name}.{os.getpid()}.part")
        with tmp.open("w", encoding="utf-8") as f:
            for para in paragraphs(corpus):
                words = simple_tokenize(para)
                if not words:
                    continue
                if max_tokens and n + len(words) > max_tokens:
                    break
                f.write(" ".join(words) + "\n")
                n += len(words)
        tmp_count = count.with_name(f"{count.name}.{os.getpid()}.part")
        tmp_count.write_text(str(n))
        tmp_count.replace(count)
        tmp.replace(path)
    return path, int(count.read_text())


def token_lists(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as f:
        return [line.split() for line in f]


def ir_collection(name: str, factor: int = 1) -> tuple[list[str], list[str]]:
    """Document texts (repeated factor times) and query texts of a collection."""
    if name == "lee":
        docs = list(_lee_paragraphs())
        queries = [" ".join(d.split()[:6]) for d in docs[::10]]
    else:
        require_data("ir", name)
        from nlpkit.io.ir import load_collection

        coll = load_collection(name)
        docs = [d.get_text() for d in coll.docs]
        queries = [q.get_text() for q in coll.queries]
    return docs * factor, queries


def texts(n: int) -> list[str]:
    """n short texts for the batch benchmarks: SST-2 sentences when the shared data
    is there, else lee paragraphs cut into sentences."""
    try:
        folder = require_data("textcat", "sst2")
        out = []
        for name in ("train.txt", "dev.txt", "test.txt"):
            with (folder / name).open(encoding="utf-8") as f:
                out.extend(line.split(" ", 1)[1].strip() for line in f if " " in line)
    except NotAvailable:
        out = [s for p in _lee_paragraphs() for s in p.split(". ") if s]
    return (out * (n // max(1, len(out)) + 1))[:n]
