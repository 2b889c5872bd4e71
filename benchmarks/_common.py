"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import json
import platform
import resource
import time
from contextlib import contextmanager
from pathlib import Path

from nlpkit.settings import data_dir

# the declared benchmarks (registry.py) write benchmarks/results/; these older
# scripts keep their JSON out of it
RESULTS = Path(__file__).resolve().parent / ".cache" / "results"


def require_data(*parts: str) -> Path:
    """The path of a data set under NLPKIT_DATA_DIR, or a clear exit if missing."""
    path = data_dir().joinpath(*parts)
    if not path.exists():
        raise SystemExit(
            f"{path} not found: set NLPKIT_DATA_DIR to the shared data folder"
        )
    return path


@contextmanager
def timer(store: dict, key: str):
    start = time.perf_counter()
    yield
    store[key] = time.perf_counter() - start


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def save_results(name: str, results: dict) -> Path:
    """Write results as JSON to benchmarks/.cache/results/<name>.json (git-ignored)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    results = {"machine": platform.platform(), **results}
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return path
