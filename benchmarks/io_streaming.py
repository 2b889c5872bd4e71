"""Peak memory while reading a large generated corpus: nlpkit readers against
spaCy's CoNLL NER converter (IOB) and srsly.read_jsonl (JSONL).

Files are generated in a temp folder (IOB: 200,000 sentences, about 24 MB; JSONL:
100,000 records, about 23 MB); the peak of Python allocations is taken with
tracemalloc while every record is read and dropped. Memory only: tracemalloc makes
timings meaningless, so none are reported.

    .venv/bin/python -m benchmarks.io_streaming [--quick]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import tracemalloc
from pathlib import Path

from _common import save_results


def write_iob(path: Path, n: int) -> None:
    sent = "".join(f"tok{j}\t{'B-PER' if j == 2 else 'O'}\n" for j in range(12))
    with path.open("w", encoding="utf-8") as f:
        for _ in range(n):
            f.write(sent + "\n")


def write_jsonl(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(
                json.dumps({"id": i, "text": f"document {i} " + "word " * 40}) + "\n"
            )


def peak_mb(func) -> tuple[int, float]:
    tracemalloc.start()
    try:
        count = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="files 10 times smaller")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    import srsly
    from spacy.training.converters import conll_ner_to_docs

    from nlpkit.io import read_iob, read_jsonl

    rows = []
    with tempfile.TemporaryDirectory(prefix="nlpkit-bench-") as tmp:
        iob = Path(tmp) / "big.iob"
        write_iob(iob, 200_000 // scale)
        jsonl = Path(tmp) / "big.jsonl"
        write_jsonl(jsonl, 100_000 // scale)
        cases = [
            ("iob", iob, "nlpkit read_iob", lambda: sum(1 for _ in read_iob(iob))),
            (
                "iob",
                iob,
                "spacy conll_ner_to_docs",
                lambda: sum(
                    1
                    for _ in conll_ner_to_docs(
                        iob.read_text(encoding="utf-8"), n_sents=1, no_print=True
                    )
                ),
            ),
            (
                "jsonl",
                jsonl,
                "nlpkit read_jsonl",
                lambda: sum(1 for _ in read_jsonl(jsonl)),
            ),
            (
                "jsonl",
                jsonl,
                "srsly.read_jsonl",
                lambda: sum(1 for _ in srsly.read_jsonl(jsonl)),
            ),
        ]
        for fmt, path, name, func in cases:
            count, peak = peak_mb(func)
            mb = path.stat().st_size / 2**20
            rows.append(
                {
                    "format": fmt,
                    "reader": name,
                    "file_mb": round(mb, 1),
                    "records": count,
                    "peak_mb": round(peak, 3),
                }
            )
    print(f"{'format':<7}{'reader':<26}{'file MB':>8}{'records':>9}{'peak MB':>10}")
    for r in rows:
        print(
            f"{r['format']:<7}{r['reader']:<26}{r['file_mb']:>8}{r['records']:>9}"
            f"{r['peak_mb']:>10}"
        )
    print(f"results: {save_results('io_streaming', {'rows': rows})}")


if __name__ == "__main__":
    main()
