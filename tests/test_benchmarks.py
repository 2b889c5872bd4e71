"""The benchmarks: each declared experiment runs at its smoke size (so the scripts
cannot rot), the load guard, and the README tables in sync with the results."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import harness, report
from benchmarks.registry import EXPERIMENTS, SIZES

ROOT = Path(__file__).resolve().parent.parent
KEYS = {
    "name", "area", "size", "date", "status", "goal", "peer", "ratio", "verdict",
    "noisy", "loadavg_before", "loadavg_after", "cpu_count", "git", "versions",
    "settings", "rows", "checks",
}  # fmt: skip


@pytest.fixture(scope="module")
def smoke_results(tmp_path_factory):
    """Every experiment at its smoke size, written to a temporary folder."""
    out = tmp_path_factory.mktemp("bench-results")
    env = {"NLPKIT_BENCH_MAX_LOAD": "1000", "NLPKIT_BENCH_SETTLE_S": "0"}
    cmd = ["-m", "benchmarks.run", "--size", "smoke", "--out", str(out), "--jobs", "2"]
    res = subprocess.run(
        [sys.executable, *cmd],
        cwd=ROOT,
        env={**__import__("os").environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return out


def test_registry_declares_every_size():
    names = [e.name for e in EXPERIMENTS]
    assert len(names) == len(set(names))
    for exp in EXPERIMENTS:
        assert set(exp.sizes) == set(SIZES), exp.name
        assert (ROOT / "benchmarks" / f"{exp.module}.py").exists(), exp.name
        assert exp.peers and exp.peer
        if exp.goal:
            assert exp.goal["op"] in (">=", "<=")


@pytest.mark.parametrize("exp", EXPERIMENTS, ids=lambda e: e.name)
def test_smoke_run_records_a_result(smoke_results, exp):
    path = smoke_results / exp.area / f"{exp.name}.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    assert KEYS <= set(record)
    assert record["size"] == "smoke"
    assert record["verdict"] == "not judged (smoke size)"
    assert not record["noisy"]
    assert len(record["loadavg_before"]) == 3
    if record["status"] == "not available":
        assert record["message"]  # says what is missing
        assert record["ratio"] is None
        return
    assert record["status"] == "measured", record.get("message")
    assert record["ratio"] is not None and math.isfinite(record["ratio"])
    if exp.timed:  # a quality ratio of a few smoke training steps may be 0
        assert record["ratio"] > 0
    for r in record["rows"]:
        assert r["peer_name"] and r["ratio"] is not None
        if r["unit"]:  # times and memory; unit "" marks a score, which may be < 0
            assert r["ours"] >= 0 and r["peer"] >= 0
    for key, value in record["checks"].items():
        if key.startswith("cells_equal"):
            assert value is True, key


def test_module_cli_records_a_result(tmp_path):
    """What benchmarks.run starts for each experiment at the quick and full sizes
    (the smoke run above calls the same modules in pooled workers)."""
    exp = next(e for e in EXPERIMENTS if e.name == "vectors_quality")
    cmd = [sys.executable, *exp.command("smoke", str(tmp_path))]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    record = json.loads((tmp_path / exp.area / f"{exp.name}.json").read_text())
    assert record["status"] == "measured" and record["wall_s"] > 0


def test_reranked_quality_is_set_against_every_first_stage(smoke_results):
    path = smoke_results / "retrieval" / "retrieval_quality.json"
    rows = json.loads(path.read_text(encoding="utf-8"))["rows"]
    first = {
        r["case"].split(": ", 1)[1].rsplit(", ", 1)[0]
        for r in rows
        if "cross-encoder" not in r["case"] and r["case"].endswith("ndcg@10")
    }
    against = {
        r["peer_name"].removeprefix("nlpkit ") for r in rows if "fused" in r["case"]
    }
    assert {"BM25", "dense minilm", "hybrid minilm"} <= first
    assert against == first  # no first stage left out of the comparison


def test_report_renders_smoke_results(smoke_results, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(report.README.read_text(encoding="utf-8"), encoding="utf-8")
    assert report.main(["--results", str(smoke_results), "--readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert "not yet measured" not in text
    for exp in EXPERIMENTS:
        assert f"| {exp.name} |" in text
    args = ["--check", "--results", str(smoke_results), "--readme", str(readme)]
    assert report.main(args) == 0


def test_committed_report_in_sync_with_committed_results():
    text = report.README.read_text(encoding="utf-8")
    assert report.apply(text, report.render(harness.RESULTS)) == text, (
        "benchmarks/README.md differs from benchmarks/results: "
        "run python -m benchmarks.report"
    )


def test_hand_edit_in_generated_section_is_caught(tmp_path):
    readme = tmp_path / "README.md"
    text = report.apply(
        report.README.read_text(encoding="utf-8"), report.render(harness.RESULTS)
    )
    edited = text.replace(
        "<!-- BEGIN GENERATED: summary -->\n",
        "<!-- BEGIN GENERATED: summary -->\n| faster than ever |\n",
    )
    readme.write_text(edited, encoding="utf-8")
    args = ["--check", "--results", str(harness.RESULTS), "--readme", str(readme)]
    assert report.main(args) == 1


def test_noisy_run_does_not_replace_a_clean_result(tmp_path, monkeypatch):
    exp = EXPERIMENTS[0]
    monkeypatch.setenv(harness.MAX_LOAD_ENV, "1.5")
    body = {"rows": [], "ratio": 1.1}
    clean = harness.write_result(exp, "quick", body, tmp_path, [0.2] * 3, [0.3] * 3)
    record = json.loads(clean.read_text(encoding="utf-8"))
    assert not record["noisy"] and record["verdict"] == "meets goal"
    noisy = harness.write_result(
        exp, "quick", {"rows": [], "ratio": 9.9}, tmp_path, [3.0] * 3, [3.0] * 3
    )
    assert noisy is None
    assert json.loads(clean.read_text(encoding="utf-8"))["ratio"] == 1.1
    # with no clean result to keep, a noisy one is recorded, marked noisy
    other = tmp_path / "other"
    path = harness.write_result(exp, "quick", body, other, [3.0] * 3, [3.0] * 3)
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["noisy"] and record["verdict"] == "noisy"


def test_quality_experiment_is_not_marked_noisy(tmp_path, monkeypatch):
    """The load is recorded for a quality-only run, but it cannot make it noisy."""
    exp = next(e for e in EXPERIMENTS if not e.timed)
    monkeypatch.setenv(harness.MAX_LOAD_ENV, "1.5")
    body = {"rows": [], "ratio": 1.01}
    path = harness.write_result(exp, "quick", body, tmp_path, [3.0] * 3, [3.0] * 3)
    record = json.loads(path.read_text(encoding="utf-8"))
    assert not record["noisy"] and record["loadavg_before"] == [3.0] * 3
    assert record["verdict"] == "meets goal"


def test_alternate_keeps_median_and_spread():
    calls = []
    times = harness.alternate(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
        rounds=3,
        warmup=False,
    )
    assert calls == ["a", "b", "b", "a", "a", "b"]
    for name in "ab":
        t = times[name]
        assert len(t["runs"]) == 3 and t["min"] <= t["median"] <= t["max"]
