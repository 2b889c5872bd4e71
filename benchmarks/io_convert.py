"""IOB -> .spacy conversion: `nlpkit convert` against `spacy convert --converter ner`.

Both run as fresh processes on the same file: a generated one (smoke), WikiANN dev
(quick), and also WikiANN train repeated 10 times, about 20 MB (full); we record
wall time and peak RSS, subtract a process that only imports spaCy and makes a blank
pipeline, and check that both outputs hold the same tokens and entities.

    .venv/bin/python -m benchmarks.io_convert --name io_convert --size quick
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.data import require_data
from benchmarks.harness import cli, row, summary

PY = sys.executable
NLPKIT = str(Path(PY).with_name("nlpkit"))


def run_child(cmd: list[str]) -> tuple[float, float]:
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


def write_iob(path: Path, n: int) -> None:
    """n generated sentences with WikiANN's "en:" token prefix (the smoke input)."""
    tags = ["B-PER", "I-PER", "O", "O", "B-LOC", "O", "B-ORG", "I-ORG", "O"]
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            for j, tag in enumerate(tags):
                f.write(f"en:w{(i * 7 + j) % 997}\t{tag}\n")
            f.write("\n")


def convert_ours(path: Path, out: Path, *extra: str) -> list[str]:
    return [NLPKIT, "-q", "convert", str(path), "--output", str(out),
            "--token-prefix", "en:", "--strict", *extra]  # fmt: skip


def convert_peer(path: Path, out: Path) -> list[str]:
    return [PY, "-m", "spacy", "convert", str(path), str(out), "--converter", "ner",
            "-n", "1", "--file-type", "spacy"]  # fmt: skip


def bench(path: Path, tmp: Path, base: tuple[float, float], rounds: int) -> list:
    """Rows (time and peak RSS, each net of a bare spaCy start-up) and checks."""
    ours, peer_dir = tmp / "ours.spacy", tmp / "peer"
    peer_dir.mkdir(exist_ok=True)
    times = {"ours": [], "peer": []}
    rss = {"ours": 0.0, "peer": 0.0}
    for i in range(rounds):
        order = ["ours", "peer"] if i % 2 == 0 else ["peer", "ours"]
        for who in order:
            cmd = (
                convert_ours(path, ours)
                if who == "ours"
                else convert_peer(path, peer_dir)
            )
            t, m = run_child(cmd)
            times[who].append(max(t - base[0], 1e-3))
            rss[who] = max(rss[who], m - base[1])
    n_ours, n_peer, same = same_output(ours, peer_dir / f"{path.stem}.spacy", "en:")
    mb = path.stat().st_size / 2**20
    case = f"{path.name}: {mb:.1f} MB, {n_ours:,} sentences"
    t_ours, t_peer = summary(times["ours"]), summary(times["peer"])
    rows = [
        row(f"{case}, time net of start-up", t_ours, "spacy convert --converter ner",
            t_peer),
        row(f"{case}, peak RSS net of start-up", rss["ours"], "spacy convert",
            rss["peer"], unit="MB", ratio=rss["ours"] / max(rss["peer"], 1.0)),
    ]  # fmt: skip
    checks = {f"{path.name}: identical_docs": same == n_ours == n_peer}
    return rows, checks


def run(exp, size: str) -> dict:
    z = exp.sizes[size]
    base = (0.0, 0.0)  # the smoke size checks the chain, not the figures
    if z.get("baseline", True):
        base = run_child([PY, "-c", "import spacy; spacy.blank('en')"])
    rows, checks = [], {}
    with tempfile.TemporaryDirectory(prefix="nlpkit-bench-") as tmp:
        tmp = Path(tmp)
        inputs = []
        if z["input"] == "generated":
            inputs.append(tmp / "generated.iob")
            write_iob(inputs[0], z["sentences"])
        else:
            dev = require_data("ner", "wikiann-en", "dev.iob")
            if z.get("sentences"):  # the first n sentences of the dev split
                inputs.append(tmp / "dev.iob")
                with dev.open(encoding="utf-8") as f:
                    blocks = f.read().split("\n\n")[: z["sentences"]]
                inputs[0].write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
            else:
                inputs.append(dev)
        if z.get("train_x10"):
            big = tmp / "train-x10.iob"
            data = require_data("ner", "wikiann-en", "train.iob").read_bytes()
            with big.open("wb") as f:
                for _ in range(10):
                    f.write(data.rstrip(b"\n") + b"\n\n")
            inputs.append(big)
        for path in inputs:
            more, ok = bench(path, tmp, base, exp.rounds(size))
            rows += more
            checks.update(ok)
    ratio = min(r["ratio"] for r in rows if r["unit"] == "s")
    checks["baseline (import spacy, blank en)"] = f"{base[0]:.1f} s, {base[1]:.0f} MB"
    return {"rows": rows, "ratio": ratio, "checks": checks}


if __name__ == "__main__":
    cli(run)
