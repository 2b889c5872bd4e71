"""Intrinsic evaluation: word similarity (Spearman) and analogies (3CosAdd, 3CosMul)."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..errors import Errors, Warnings

logger = logging.getLogger("nlpkit")

# name -> file under data_dir()/wordsim; the gensim test data is used when missing
WORDSIM_SETS = {
    "ws353": "EN-WS-353-ALL.txt",
    "ws353-sim": "EN-WS-353-SIM.txt",
    "ws353-rel": "EN-WS-353-REL.txt",
    "simlex999": "EN-SIMLEX-999.txt",
    "men": "EN-MEN-TR-3k.txt",
    "rw": "EN-RW-STANFORD.txt",
    "simverb3500": "EN-SimVerb-3500.txt",
    "mturk287": "EN-MTurk-287.txt",
    "mturk771": "EN-MTurk-771.txt",
    "rg65": "EN-RG-65.txt",
    "mc30": "EN-MC-30.txt",
    "yp130": "EN-YP-130.txt",
    "verb143": "EN-VERB-143.txt",
}
GENSIM_SETS = {"ws353": "wordsim353.tsv", "simlex999": "simlex999.txt"}


@dataclass
class SimilarityResult:
    name: str
    spearman: float
    n_pairs: int
    n_oov: int

    @property
    def coverage(self) -> float:
        return 1 - self.n_oov / self.n_pairs if self.n_pairs else 0.0


@dataclass
class AnalogyResult:
    accuracy_add: float
    accuracy_mul: float
    n_questions: int
    n_oov: int
    sections: dict[str, dict] = field(default_factory=dict)


def resolve_wordsim(name_or_path: str | Path) -> Path:
    """A word-similarity file from a name (ws353, simlex999, men, ...) or a path."""
    path = Path(name_or_path)
    if path.exists():
        return path
    from ..settings import data_dir

    name = str(name_or_path).lower()
    if name in WORDSIM_SETS:
        candidate = data_dir() / "wordsim" / WORDSIM_SETS[name]
        if candidate.exists():
            return candidate
    if name in GENSIM_SETS:
        from gensim.test.utils import datapath

        return Path(datapath(GENSIM_SETS[name]))
    known = ", ".join(sorted(WORDSIM_SETS))
    raise FileNotFoundError(
        Errors.E001.format(path=f"{name_or_path} (known names: {known})")
    )


def read_pairs(path: str | Path) -> list[tuple[str, str, float]]:
    """Read 'word1 word2 score' lines (tab or space; '#' comments and headers skipped)."""
    pairs = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 3 or line.startswith("#"):
            continue
        try:
            pairs.append((parts[0].lower(), parts[1].lower(), float(parts[2])))
        except ValueError:
            continue
    if not pairs:
        raise ValueError(Errors.E112.format(path=path))
    return pairs


def evaluate_similarity(wv, dataset: str | Path, *, use_subwords: bool = True):
    """Spearman correlation between cosine similarity and human scores.

    Pairs with a word that has no vector are left out and counted in n_oov (and a
    warning says how many); fastText-style vectors build them from subwords.
    RETURNS (SimilarityResult): spearman is NaN-free (0.0 if fewer than 2 pairs).
    """
    from scipy.stats import spearmanr

    from .kv import cosine

    path = resolve_wordsim(dataset)
    pairs = read_pairs(path)
    gold, pred = [], []
    n_oov = 0
    for a, b, score in pairs:
        if use_subwords:
            va, vb = wv.get(a), wv.get(b)
        else:
            va = wv.vectors[wv.index[a]] if a in wv.index else None
            vb = wv.vectors[wv.index[b]] if b in wv.index else None
        if va is None or vb is None:
            n_oov += 1
            continue
        gold.append(score)
        pred.append(cosine(va, vb))
    name = Path(dataset).stem if Path(str(dataset)).exists() else str(dataset)
    if n_oov:
        logger.info(Warnings.W101.format(n_oov=n_oov, n_total=len(pairs), name=name))
    rho = 0.0
    if len(gold) >= 2 and np.std(pred) > 0:
        rho = float(spearmanr(gold, pred).statistic)
    return SimilarityResult(name, rho, len(pairs), n_oov)


def read_analogies(path: str | Path | None = None) -> dict[str, list[tuple[str, ...]]]:
    """Sections of questions-words.txt (': section' lines), lowercased."""
    if path is None:
        from gensim.test.utils import datapath

        path = datapath("questions-words.txt")
    sections: dict[str, list[tuple[str, ...]]] = {}
    current = "default"
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            current = line[1:].strip()
            continue
        parts = line.lower().split()
        if len(parts) == 4:
            sections.setdefault(current, []).append(tuple(parts))
    return sections


def evaluate_analogies(
    wv,
    path: str | Path | None = None,
    *,
    restrict: int | None = 30000,
    batch_size: int = 512,
) -> AnalogyResult:
    """Accuracy of 3CosAdd and 3CosMul on analogy questions, overall and per section.

    restrict (int | None): search answers among the most frequent words (as gensim);
        questions with a word outside them are counted as OOV and skipped.
    RETURNS (AnalogyResult): accuracies over the questions answered.
    """
    n = len(wv) if restrict is None else min(restrict, len(wv))
    unit = wv.unit[:n]
    index = {w: i for i, w in enumerate(wv.words[:n])}
    sections = read_analogies(path)
    total = {"add": 0, "mul": 0, "n": 0, "oov": 0}
    per_section = {}
    for name, questions in sections.items():
        ids = [
            tuple(index[w] for w in q) for q in questions if all(w in index for w in q)
        ]
        n_oov = len(questions) - len(ids)
        ok_add = ok_mul = 0
        for start in range(0, len(ids), batch_size):
            batch = np.asarray(ids[start : start + batch_size])
            a, b, c, d = batch.T
            sims = [unit[x] @ unit.T for x in (a, b, c)]
            add = sims[1] - sims[0] + sims[2]
            pos = [(s + 1) / 2 for s in sims]
            mul = pos[1] * pos[2] / (pos[0] + 1e-3)
            rows = np.arange(len(batch))
            for scores in (add, mul):
                for x in (a, b, c):
                    scores[rows, x] = -np.inf
            ok_add += int((add.argmax(axis=1) == d).sum())
            ok_mul += int((mul.argmax(axis=1) == d).sum())
        per_section[name] = {
            "n": len(ids),
            "oov": n_oov,
            "add": ok_add / len(ids) if ids else 0.0,
            "mul": ok_mul / len(ids) if ids else 0.0,
        }
        total["add"] += ok_add
        total["mul"] += ok_mul
        total["n"] += len(ids)
        total["oov"] += n_oov
    if total["oov"]:
        logger.info(
            Warnings.W101.format(
                n_oov=total["oov"], n_total=total["n"] + total["oov"], name="analogies"
            )
        )
    count = max(total["n"], 1)
    return AnalogyResult(
        total["add"] / count,
        total["mul"] / count,
        total["n"],
        total["oov"],
        per_section,
    )


def evaluate_all(
    wv, *, similarity=("ws353", "simlex999", "men"), analogies: bool = True
) -> dict:
    """Every similarity set named plus analogies, as one JSON-ready dict."""
    out: dict = {}
    for name in similarity:
        res = evaluate_similarity(wv, name)
        out[name] = {**asdict(res), "coverage": res.coverage}
    if analogies:
        res = evaluate_analogies(wv)
        out["analogy"] = asdict(res)
    return out
