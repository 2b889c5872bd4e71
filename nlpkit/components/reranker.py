"""nlpkit_reranker: a cross-encoder that reranks candidate passages for each Doc.

The query is the doc text, or a Doc extension; the candidates come from a Doc
extension (list of strings or {"id", "text"} dicts), the doc's sentences, a span
group, or a first-stage index given in config (nlpkit.LoadIndex.v1). Scores go to
extensions; the model folder is saved beside the cfg by nlp.to_disk.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path, minibatch, registry

from ..errors import Errors, Warnings, check_settings
from ..util import bytes_to_folder, folder_to_bytes

logger = logging.getLogger("nlpkit")
SOURCES = ("extension", "sents", "spans", "index")
MODEL_DIR = "model"
CFG_FILE = "cfg"

DEFAULT_RERANKER_CONFIG = {
    "candidates": "extension",
    "candidates_extension": "candidates",
    "spans_key": "sc",
    "query_extension": "query",
    "scores_extension": "rerank_scores",
    "hits_extension": "reranked",
    "top_k": None,
    "threshold": None,
    "batch_size": 32,
    "max_length": None,
    "backend": "torch",
    "index": None,
    "depth": 20,
    "save_model": True,
}


@registry.misc("nlpkit.LoadIndex.v1")
def create_load_index(path: str) -> Any:
    """Open a saved nlpkit index (BM25, dense, Chroma or hybrid) from config."""
    from ..retrieval.store import load_index

    return load_index(path)


@Language.factory("nlpkit_reranker", default_config=DEFAULT_RERANKER_CONFIG)
def make_reranker(
    nlp: Language,
    name: str,
    model: str,
    candidates: str,
    candidates_extension: str,
    spans_key: str,
    query_extension: str | None,
    scores_extension: str,
    hits_extension: str,
    top_k: int | None,
    threshold: float | None,
    batch_size: int,
    max_length: int | None,
    backend: str,
    index: Any | None,
    depth: int,
    save_model: bool,
) -> RerankerComponent:
    """Create the nlpkit_reranker component (the model loads on first use)."""
    if candidates not in SOURCES:
        raise ValueError(
            Errors.E307.format(
                what="candidates source", value=candidates, known=SOURCES
            )
        )
    from ..retrieval.rerank import BACKENDS

    if backend not in BACKENDS:
        raise ValueError(
            Errors.E307.format(what="backend", value=backend, known=BACKENDS)
        )
    check_settings(
        Errors.E313,
        (
            ("top_k", top_k, top_k is None or top_k >= 1, "None (keep all) or >= 1"),
            ("depth", depth, depth >= 1, ">= 1"),
            ("batch_size", batch_size, batch_size >= 1, ">= 1"),
        ),
    )
    if candidates == "index" and index is None:
        raise ValueError(
            Errors.E313.format(
                name="index",
                rule="an index (nlpkit.LoadIndex.v1) when candidates = 'index'",
                value=None,
            )
        )
    return RerankerComponent(
        nlp,
        name,
        model=model,
        candidates=candidates,
        candidates_extension=candidates_extension,
        spans_key=spans_key,
        query_extension=query_extension,
        scores_extension=scores_extension,
        hits_extension=hits_extension,
        top_k=top_k,
        threshold=threshold,
        batch_size=batch_size,
        max_length=max_length,
        backend=backend,
        index=index,
        depth=depth,
        save_model=save_model,
    )


class RerankerComponent:
    """Reranks each doc's candidates with a cross-encoder, many docs per batch.

    Writes doc._.<scores_extension> (one score per candidate, in candidate order)
    and doc._.<hits_extension> (the kept candidates, best first, as dicts with
    id, score, text, and start/end character offsets for sentences and spans).
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "nlpkit_reranker",
        *,
        model: str,
        index: Any | None = None,
        **cfg: Any,
    ):
        self.name = name
        self.vocab = nlp.vocab
        self.cfg = {**DEFAULT_RERANKER_CONFIG, **cfg, "model": str(model)}
        self.cfg.pop("index", None)
        self.index = index
        self._reranker = None
        for ext in (self.cfg["scores_extension"], self.cfg["hits_extension"]):
            if not Doc.has_extension(ext):
                Doc.set_extension(ext, default=None)
        for ext in (self.cfg["candidates_extension"], self.cfg["query_extension"]):
            if ext and not Doc.has_extension(ext):
                Doc.set_extension(ext, default=None)

    @property
    def reranker(self):
        """The nlpkit Reranker (created on first use, so a bad path fails clearly)."""
        if self._reranker is None:
            from ..retrieval.rerank import Reranker

            self._reranker = Reranker(
                self.cfg["model"],
                batch_size=self.cfg["batch_size"],
                max_length=self.cfg["max_length"],
                backend=self.cfg["backend"],
            )
        return self._reranker

    def initialize(self, get_examples=None, *, nlp: Language | None = None) -> None:
        """Check that the model path resolves and load the model."""
        self.reranker.model  # noqa: B018

    def query_of(self, doc: Doc) -> str:
        ext = self.cfg["query_extension"]
        query = getattr(doc._, ext) if ext else None
        if query is None and self.cfg["candidates"] in ("extension", "index"):
            query = doc.text
        return query or ""

    def candidates_of(self, doc: Doc) -> list[dict[str, Any]]:
        source = self.cfg["candidates"]
        if source == "extension":
            items = getattr(doc._, self.cfg["candidates_extension"]) or []
            return [
                {"id": str(i), "text": c} if isinstance(c, str) else dict(c)
                for i, c in enumerate(items)
            ]
        if source == "index":
            return []  # filled in predict, one batched search per batch of docs
        if source == "sents":
            spans = (
                list(doc.sents)
                if doc.has_annotation("SENT_START") or len(doc) == 0
                else []
            )
            if not spans and len(doc):
                spans = [doc[:]]
        else:
            spans = list(doc.spans.get(self.cfg["spans_key"], []))
        return [
            {"id": str(i), "text": s.text, "start": s.start_char, "end": s.end_char}
            for i, s in enumerate(spans)
        ]

    def predict(self, docs: Iterable[Doc]) -> list[list[dict[str, Any]]]:
        """Score every doc's candidates in one flat batch; docs are not changed.

        RETURNS (list[list[dict]]): per doc, candidates (in their order) with scores.
        """
        docs = list(docs)
        queries = [self.query_of(doc) for doc in docs]
        cands = [self.candidates_of(doc) for doc in docs]
        if self.cfg["candidates"] == "index":
            todo = [i for i, q in enumerate(queries) if q.strip()]
            found = self.index.search_batch(
                [queries[i] for i in todo], self.cfg["depth"]
            )
            for i, hits in zip(todo, found):
                cands[i] = [{"id": h.id, "text": h.text or ""} for h in hits]
        pairs, owners = [], []
        for i, (query, items) in enumerate(zip(queries, cands)):
            if not query.strip() or not items:
                if len(docs[i]):
                    reason = "empty query" if not query.strip() else "no candidates"
                    logger.warning(
                        Warnings.W303.format(doc=docs[i].text[:40], name=self.name)
                        + f" ({reason})"
                    )
                continue
            for item in items:
                pairs.append((query, item.get("text") or ""))
                owners.append(i)
        scores = self.reranker.score_pairs(pairs).tolist() if pairs else []
        out: list[list[dict[str, Any]]] = [[] for _ in docs]
        pos = {i: 0 for i in set(owners)}
        for owner, score in zip(owners, scores):
            item = dict(cands[owner][pos[owner]])
            item["score"] = float(score)
            out[owner].append(item)
            pos[owner] += 1
        return out

    def set_annotations(
        self, docs: Iterable[Doc], scored: list[list[dict[str, Any]]]
    ) -> None:
        top_k, threshold = self.cfg["top_k"], self.cfg["threshold"]
        for doc, items in zip(docs, scored):
            doc._.set(self.cfg["scores_extension"], [it["score"] for it in items])
            ranked = sorted(items, key=lambda it: -it["score"])
            if threshold is not None:
                ranked = [it for it in ranked if it["score"] >= threshold]
            doc._.set(
                self.cfg["hits_extension"], ranked if top_k is None else ranked[:top_k]
            )

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            self.set_annotations([doc], self.predict([doc]))
        except Exception as err:
            error_handler(self.name, self, [doc], err)
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """Rerank docs in batches; all pairs of a batch go through the model at once."""
        error_handler = self.get_error_handler()
        for docs in minibatch(stream, size=batch_size):
            try:
                self.set_annotations(docs, self.predict(docs))
            except Exception as err:
                error_handler(self.name, self, docs, err)
            yield from docs

    def get_error_handler(self):
        return getattr(self, "_error_handler", _raise_error)

    def set_error_handler(self, error_handler) -> None:
        self._error_handler = error_handler

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> None:
        """Save cfg as JSON and, unless save_model is false, the model folder beside it."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        cfg = dict(self.cfg)
        if self.cfg["save_model"] and MODEL_DIR not in exclude:
            target = path / MODEL_DIR
            source = Path(self.reranker.path)
            if target.exists() and target.resolve() != source.resolve():
                shutil.rmtree(target)
            if source.is_dir() and not target.exists():
                shutil.copytree(source, target)
            elif not target.exists():
                self.reranker.model.save(str(target))
            cfg["model"] = MODEL_DIR
        if CFG_FILE not in exclude:
            (path / CFG_FILE).write_text(json.dumps(cfg, indent=2), encoding="utf-8")

    def from_disk(
        self, path: str | Path, *, exclude: Iterable[str] = tuple()
    ) -> RerankerComponent:
        """Load cfg and the saved model folder (or the path the cfg refers to)."""
        path = ensure_path(path)
        if not (path / CFG_FILE).exists():
            raise ValueError(
                Errors.E304.format(
                    path=path, reason=f"no {CFG_FILE} for component {self.name!r}"
                )
            )
        if CFG_FILE not in exclude:
            cfg = json.loads((path / CFG_FILE).read_text(encoding="utf-8"))
            self.cfg.update(cfg)
        if self.cfg["model"] == MODEL_DIR:
            self.cfg["model"] = str(path / MODEL_DIR)
        self._reranker = None
        self.reranker.model  # noqa: B018  (load now: the folder may be temporary)
        if (path / MODEL_DIR).exists():
            self.cfg["model"] = (
                MODEL_DIR if self.cfg["save_model"] else self.cfg["model"]
            )
        return self

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        """The to_disk folder (cfg and, unless save_model is false, the model) as bytes."""
        with tempfile.TemporaryDirectory() as tmp:
            self.to_disk(tmp, exclude=exclude)
            return folder_to_bytes(tmp)

    def from_bytes(
        self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()
    ) -> RerankerComponent:
        """Restore from to_bytes output; the model is loaded before the folder goes."""
        with tempfile.TemporaryDirectory() as tmp:
            self.from_disk(bytes_to_folder(bytes_data, tmp), exclude=exclude)
        return self


def _raise_error(proc_name, proc, docs, err):
    raise err
