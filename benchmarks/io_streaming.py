"""Peak memory while reading a large generated corpus: nlpkit readers against
spaCy's CoNLL NER converter (IOB) and srsly.read_jsonl (JSONL).

Files are generated in a temp folder (full size: IOB 200,000 sentences, about 24 MB;
JSONL 100,000 records, about 23 MB; see the registry for the others); the peak of Python allocations is taken with
tracemalloc while every record is read and dropped. Memory only: tracemalloc makes
timings meaningless, so none are reported.

    .venv/bin/python -m benchmarks.io_streaming --name io_streaming --size quick
"""

from __future__ import annotations

import json
import tempfile
import tracemalloc
from pathlib import Path

from benchmarks.harness import cli, row


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


def run(exp, size: str) -> dict:
    import srsly
    from spacy.training.converters import conll_ner_to_docs

    from nlpkit.io import read_iob, read_jsonl

    z = exp.sizes[size]
    rows, ratios = [], []
    with tempfile.TemporaryDirectory(prefix="nlpkit-bench-") as tmp:
        iob = Path(tmp) / "big.iob"
        write_iob(iob, z["iob_sentences"])
        jsonl = Path(tmp) / "big.jsonl"
        write_jsonl(jsonl, z["jsonl_records"])

        def spacy_iob(path=iob):
            text = path.read_text(encoding="utf-8")
            return sum(1 for _ in conll_ner_to_docs(text, n_sents=1, no_print=True))

        # a first call outside the trace, so that lazy imports (spaCy's language
        # data) are not counted as reading memory
        tiny = Path(tmp) / "tiny.iob"
        write_iob(tiny, 2)
        spacy_iob(tiny), sum(1 for _ in read_iob(tiny))

        cases = [
            (iob, "nlpkit read_iob", lambda: sum(1 for _ in read_iob(iob)),
             "spacy conll_ner_to_docs", spacy_iob),
            (jsonl, "nlpkit read_jsonl", lambda: sum(1 for _ in read_jsonl(jsonl)),
             "srsly.read_jsonl", lambda: sum(1 for _ in srsly.read_jsonl(jsonl))),
        ]  # fmt: skip
        for path, _, ours, peer_name, peer in cases:
            n_ours, mb_ours = peak_mb(ours)
            n_peer, mb_peer = peak_mb(peer)
            if n_ours != n_peer:
                raise RuntimeError(f"{path.name}: nlpkit read {n_ours}, peer {n_peer}")
            size_mb = path.stat().st_size / 2**20
            case = f"{path.suffix[1:]}: {size_mb:.2f} MB, {n_ours:,} records, peak"
            ratio = mb_ours / mb_peer
            kb_ours, kb_peer = mb_ours * 1024, mb_peer * 1024
            rows.append(row(case, kb_ours, peer_name, kb_peer, unit="KB", ratio=ratio))
            ratios.append(ratio)
    return {"rows": rows, "ratio": max(ratios), "checks": {"same_record_counts": True}}


if __name__ == "__main__":
    cli(run)
