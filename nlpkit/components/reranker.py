"""nlpkit_reranker: a cross-encoder that reranks candidate passages for each Doc.

The query is the doc text, or a Doc extension; the candidates come from a Doc
extension (list of strings or {"id", "text"} dicts), the doc's sentences, a span
group, or a first-stage index given in config (nlpkit.LoadIndex.v1), searched and
reranked as a RerankedRetriever. Scores go to extensions; nlp.to_disk writes the
settings (cfg, JSON) and the model folder (model) beside each other.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry

from ..errors import Errors, Warnings, check_settings
from ..retrieval.base import DEFAULT_DEPTH
from ..retrieval.rerank import BACKENDS
from ..util import bytes_to_folder, folder_to_bytes
from ._base import BatchPipe, read_folder, write_folder

logger = logging.getLogger("nlpkit")
SOURCES = ("extension", "sents", "spans", "index")
MODEL_DIR = "model"

DEFAULT_RERANKER_CONFIG = {
    "candidates": "extension",
    "candidates_extension": "candidates",
    "spans_key": "sc",
    "query_extension": "query",
    "scores_extension": "rerank_scores",
    "hits_extension": "reranked",
    "k": None,
    "threshold": None,
    "batch_size": 32,
    "max_length": None,
    "backend": "torch",
    "index": None,
    "depth": DEFAULT_DEPTH,
    "save_model": True,
}
# old setting names -> new ones; still read (with a DeprecationWarning)
RENAMED = {"top_k": "k"}


@registry.misc("nlpkit.LoadIndex.v1")
def create_load_index(path: str) -> Any:
    """Open a saved nlpkit index of any registered kind (bm25, dense, ...)."""
    from ..retrieval.base import load_index

    return load_index(path)


@registry.misc("nlpkit.Reranker.v1")
def create_reranker(
    model: str,
    batch_size: int = 32,
    max_length: int | None = None,
    backend: str = "torch",
    device: str | None = None,
) -> Any:
    """nlpkit's cross-encoder Reranker (a model folder or name)."""
    from ..retrieval.rerank import Reranker

    return Reranker(
        model,
        batch_size=batch_size,
        max_length=max_length,
        backend=backend,
        device=device,
    )


@registry.misc("nlpkit.RerankedRetriever.v1")
def create_reranked_retriever(
    retriever: Any, reranker: Any, depth: int = DEFAULT_DEPTH, weight: float = 1.0
) -> Any:
    """A first-stage retriever (e.g. nlpkit.LoadIndex.v1) followed by a reranker
    (e.g. nlpkit.Reranker.v1) over its top `depth` hits."""
    from ..retrieval.rerank import RerankedRetriever

    return RerankedRetriever(retriever, reranker, depth=depth, weight=weight)


def renamed_setting(
    cfg: dict[str, Any], where: str, defaults: dict[str, Any] | None = None
) -> dict[str, Any]:
    """cfg with old setting names moved to their new names (with a warning).

    A new name set to other than its default beside its old name raises E331.
    """
    cfg = dict(cfg)
    for old, new in RENAMED.items():
        if old not in cfg:
            continue
        value = cfg.pop(old)
        if value is None:
            continue
        if cfg.get(new) not in (None, (defaults or {}).get(new)):
            raise ValueError(
                Errors.E331.format(setting=new, new=new, old=old, where=where)
            )
        warnings.warn(
            Warnings.W330.format(old=old, new=new, where=where),
            DeprecationWarning,
            stacklevel=3,
        )
        cfg[new] = value
    return cfg


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
    k: int | None,
    threshold: float | None,
    batch_size: int,
    max_length: int | None,
    backend: str,
    index: Any | None,
    depth: int,
    save_model: bool,
    top_k: int | None = None,
) -> RerankerComponent:
    """Create the nlpkit_reranker component (the model loads on first use)."""
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
        k=k,
        threshold=threshold,
        batch_size=batch_size,
        max_length=max_length,
        backend=backend,
        index=index,
        depth=depth,
        save_model=save_model,
        top_k=top_k,
    )


def check_cfg(cfg: dict[str, Any], has_index: bool) -> None:
    """The component's settings, checked with the errors the factory gave."""
    unknown = sorted(set(cfg) - set(DEFAULT_RERANKER_CONFIG) - {"model"})
    if unknown:
        known = sorted(DEFAULT_RERANKER_CONFIG)
        raise ValueError(
            Errors.E307.format(what="setting", value=unknown[0], known=known)
        )
    for what, value, known in (
        ("candidates source", cfg["candidates"], SOURCES),
        ("backend", cfg["backend"], BACKENDS),
    ):
        if value not in known:
            raise ValueError(Errors.E307.format(what=what, value=value, known=known))
    k, depth, batch_size = cfg["k"], cfg["depth"], cfg["batch_size"]
    check_settings(
        Errors.E025,
        (
            ("k", k, k is None or (isinstance(k, int) and k >= 1), "None or >= 1"),
            ("depth", depth, isinstance(depth, int) and depth >= 1, ">= 1"),
            ("batch_size", batch_size, isinstance(batch_size, int) and batch_size >= 1, ">= 1"),  # fmt: skip
            ("index", None, has_index or cfg["candidates"] != "index",
             "an index (nlpkit.LoadIndex.v1) when candidates = 'index'"),
        ),
    )  # fmt: skip


class RerankerComponent(BatchPipe):
    """Reranks each doc's candidates with a cross-encoder, many docs per batch.

    Writes doc._.<scores_extension> (one score per candidate, in candidate order)
    and doc._.<hits_extension> (the kept candidates, best first, as dicts with
    id, score, text, and start/end character offsets for sentences and spans).

    nlp (Language); name (str); model (str): a cross-encoder folder or name;
    index (Retriever | None): the first stage when candidates = "index"; the
    other settings as in DEFAULT_RERANKER_CONFIG (k: candidates kept, None for
    all; depth: index hits reranked). `top_k` is read as the old name of `k`.
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
        where = f"component '{name}'"
        cfg = renamed_setting(cfg, where, DEFAULT_RERANKER_CONFIG)
        self.cfg = {**DEFAULT_RERANKER_CONFIG, **cfg, "model": str(model)}
        del self.cfg["index"]  # an object, not a setting: kept as self.index
        check_cfg(self.cfg, index is not None)
        self.name = name
        self.vocab = nlp.vocab
        self.index = index
        self._reranker = None
        self._retriever = None
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
            self._reranker = create_reranker(
                self.cfg["model"],
                batch_size=self.cfg["batch_size"],
                max_length=self.cfg["max_length"],
                backend=self.cfg["backend"],
            )
        return self._reranker

    @property
    def retriever(self):
        """The index followed by this component's reranker (candidates = "index")."""
        if self._retriever is None and self.index is not None:
            self._retriever = create_reranked_retriever(
                self.index, self.reranker, depth=self.cfg["depth"]
            )
        return self._retriever

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
            return []  # searched and scored in predict, one batch per batch of docs
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
        out: list[list[dict[str, Any]]] = [[] for _ in docs]
        if self.cfg["candidates"] == "index":
            todo = [i for i, q in enumerate(queries) if q.strip()]
            found = self.retriever.search_batch(
                [queries[i] for i in todo], self.cfg["depth"]
            )
            for i, hits in zip(todo, found):
                hits = sorted(hits, key=lambda h: h.meta["first_stage_rank"])
                out[i] = [{"id": h.id, "text": h.text, "score": h.score} for h in hits]
            self._warn_skipped(docs, queries, out)
            return out
        cands = [self.candidates_of(doc) for doc in docs]
        pairs, owners = [], []
        for i, (query, items) in enumerate(zip(queries, cands)):
            if query.strip():
                pairs.extend((query, item.get("text") or "") for item in items)
                owners.extend([i] * len(items))
        scores = self.reranker.score_pairs(pairs).tolist() if pairs else []
        pos = dict.fromkeys(owners, 0)
        for owner, score in zip(owners, scores):
            out[owner].append({**cands[owner][pos[owner]], "score": float(score)})
            pos[owner] += 1
        self._warn_skipped(docs, queries, out)
        return out

    def _warn_skipped(self, docs, queries, scored) -> None:
        for doc, query, items in zip(docs, queries, scored):
            if len(doc) and not items:
                reason = "empty query" if not query.strip() else "no candidates"
                logger.warning(
                    Warnings.W303.format(doc=doc.text[:40], name=self.name)
                    + f" ({reason})"
                )

    def set_annotations(
        self, docs: Iterable[Doc], scored: list[list[dict[str, Any]]]
    ) -> None:
        k, threshold = self.cfg["k"], self.cfg["threshold"]
        for doc, items in zip(docs, scored):
            doc._.set(self.cfg["scores_extension"], [it["score"] for it in items])
            ranked = sorted(items, key=lambda it: -it["score"])
            if threshold is not None:
                ranked = [it for it in ranked if it["score"] >= threshold]
            doc._.set(self.cfg["hits_extension"], ranked[:k])

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> None:
        """Save cfg (JSON) and, unless save_model is false, the model folder."""
        saving_model = self.cfg["save_model"] and MODEL_DIR not in exclude
        cfg = {**self.cfg, "model": MODEL_DIR if saving_model else self.cfg["model"]}
        writers = {MODEL_DIR: self._write_model} if self.cfg["save_model"] else {}
        write_folder(path, cfg, writers, exclude)

    def _write_model(self, target: Path) -> None:
        source = Path(self.reranker.path)
        if target.exists() and target.resolve() != source.resolve():
            shutil.rmtree(target)
        if source.is_dir() and not target.exists():
            shutil.copytree(source, target)
        elif not target.exists():
            self.reranker.model.save(str(target))

    def from_disk(
        self, path: str | Path, *, exclude: Iterable[str] = tuple()
    ) -> RerankerComponent:
        """Load cfg and the saved model folder (or the model the cfg names)."""
        readers = {MODEL_DIR: self._read_model}
        read_folder(path, readers, exclude, set_cfg=self._set_cfg)
        return self

    def _set_cfg(self, cfg: dict[str, Any]) -> None:
        cfg = renamed_setting(cfg, f"the saved cfg of component '{self.name}'")
        cfg = {**self.cfg, **cfg}
        check_cfg(cfg, self.index is not None)
        self.cfg = cfg
        self._reranker = self._retriever = None

    def _read_model(self, path: Path) -> None:
        saved = self.cfg["model"] == MODEL_DIR
        if path.is_dir():
            self.cfg["model"] = str(path)
        elif saved:
            raise FileNotFoundError(Errors.E001.format(path=path))
        self._reranker = self._retriever = None
        self.reranker.model  # noqa: B018  (load now: the folder may be temporary)
        if saved:
            self.cfg["model"] = MODEL_DIR

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
