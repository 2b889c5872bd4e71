"""IOB -> .spacy conversion: `nlpkit convert` against `spacy convert --converter ner`.

Both run as fresh processes on the same WikiANN file (the full run also on a file of
WikiANN train repeated 10 times, about 20 MB, written to a temp folder); we record
wall time and peak RSS, subtract a process that only imports spaCy and makes a blank
pipeline, and check that both outputs hold the same tokens and entities.

    flock /tmp/nlpkit-bench.lock .venv/bin/python -m benchmarks.io_convert [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import require_data, save_results

PY = sys.executable
NLPKIT = str(Path(PY).with_name("nlpkit"))


def run(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of a child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{cmd} failed: {proc.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def same_output(ours: Path, theirs: Path, prefix: str) -> tuple[int, int, int]:
    import spacy
    from spacy.tokens import DocBin

    vocab = spacy.blank("en").vocab
    a = list(DocBin().from_disk(ours).get_docs(vocab))
    b = list(DocBin().from_disk(theirs).get_docs(vocab))
    same = sum(
        [t.text for t in x] == [t.text.removeprefix(prefix) for t in y]
        and [(e.start, e.end, e.label_) for e in x.ents]
        == [(e.start, e.end, e.label_) for e in y.ents]
        for x, y in zip(a, b)
    )
    return len(a), len(b), same


def bench(path: Path, tmp: Path, base: tuple[float, float]) -> dict:
    ours = tmp / "ours.spacy"
    peer_dir = tmp / "peer"
    peer_dir.mkdir(exist_ok=True)
    t_ours, m_ours = run(
        [
            NLPKIT,
            "-q",
            "convert",
            str(path),
            str(ours),
            "--token-prefix",
            "en:",
            "--strict",
        ]
    )
    t_peer, m_peer = run(
        [
            PY,
            "-m",
            "spacy",
            "convert",
            str(path),
            str(peer_dir),
            "--converter",
            "ner",
            "-n",
            "1",
            "--file-type",
            "spacy",
        ]
    )
    n_ours, n_peer, same = same_output(ours, peer_dir / f"{path.stem}.spacy", "en:")
    t_shard, m_shard = run(
        [
            NLPKIT,
            "-q",
            "convert",
            str(path),
            str(tmp / "shards"),
            "--token-prefix",
            "en:",
            "--strict",
            "--shard-size",
            "10000",
        ]
    )
    return {
        "sharded_seconds_net": round(t_shard - base[0], 2),
        "sharded_rss_mb_net": round(m_shard - base[1]),
        "file": path.name,
        "mb": round(path.stat().st_size / 2**20, 1),
        "docs": [n_ours, n_peer],
        "identical_docs": same,
        "seconds": [round(t_ours, 2), round(t_peer, 2)],
        "seconds_net": [round(t_ours - base[0], 2), round(t_peer - base[0], 2)],
        "rss_mb": [round(m_ours), round(m_peer)],
        "rss_mb_net": [round(m_ours - base[1]), round(m_peer - base[1])],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="WikiANN dev only")
    args = parser.parse_args()
    dev = require_data("ner", "wikiann-en", "dev.iob")
    train = require_data("ner", "wikiann-en", "train.iob")
    base = run([PY, "-c", "import spacy; spacy.blank('en')"])
    rows = []
    with tempfile.TemporaryDirectory(prefix="nlpkit-bench-") as tmp:
        tmp = Path(tmp)
        rows.append(bench(dev, tmp, base))
        if not args.quick:
            big = tmp / "train-x10.iob"
            data = train.read_bytes()
            with big.open("wb") as f:
                for _ in range(10):
                    f.write(data.rstrip(b"\n") + b"\n\n")
            rows.append(bench(big, tmp, base))
    print(f"baseline (import spacy, blank en): {base[0]:.1f} s, {base[1]:.0f} MB")
    print(
        f"{'file':<16}{'MB':>6}{'docs':>8}{'same':>8}  {'time nlpkit/spacy (net s)':<28}"
        f"{'RSS nlpkit/spacy (net MB)':<28}"
    )
    for r in rows:
        t, m = r["seconds_net"], r["rss_mb_net"]
        print(
            f"{r['file']:<16}{r['mb']:>6}{r['docs'][0]:>8}{r['identical_docs']:>8}  "
            f"{t[0]:>6} / {t[1]:<6} = {t[0] / t[1]:<8.2f}"
            f"{m[0]:>6} / {m[1]:<6} = {m[0] / max(m[1], 1):.2f}"
        )
    for r in rows:
        print(
            f"{r['file']}: nlpkit convert --shard-size 10000: "
            f"{r['sharded_seconds_net']} s, {r['sharded_rss_mb_net']} MB (net)"
        )
    out = save_results("io_convert", {"baseline": base, "rows": rows})
    print(f"results: {out}")


if __name__ == "__main__":
    main()
