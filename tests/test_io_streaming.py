import json
import time
import tracemalloc

import pytest

from nlpkit.io import read_corpus


def write_jsonl(path, n):
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(
                json.dumps({"id": i, "text": f"document {i} " + "word " * 40}) + "\n"
            )


def write_iob(path, n):
    sent = "".join(f"en:tok{j}\t{'B-PER' if j == 2 else 'O'}\n" for j in range(12))
    with path.open("w", encoding="utf-8") as f:
        for _ in range(n):
            f.write(sent + "\n")


def peak_while_reading(path, **options):
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_corpus(path, **options))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def test_jsonl_reading_keeps_memory_flat(tmp_path):
    path = tmp_path / "big.jsonl"
    write_jsonl(path, 15_000)  # about 3.5 MB
    size = path.stat().st_size
    count, peak = peak_while_reading(path)
    assert count == 15_000
    # holding the corpus would cost several times the file size
    assert peak < size / 10, (peak, size)


@pytest.mark.slow
def test_large_iob_reading_keeps_memory_flat(tmp_path):
    path = tmp_path / "big.iob"
    write_iob(path, 200_000)  # about 24 MB, 2.4M tokens
    size = path.stat().st_size
    start = time.perf_counter()
    count, peak = peak_while_reading(path, token_prefix="en:")
    assert count == 200_000
    assert peak < 2_000_000 and peak < size / 20, (peak, size)
    assert time.perf_counter() - start < 600
