"""The nlpkit_llm component: hands docs (all, or the uncertain ones) to an LLM."""

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import srsly
from spacy import util
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc
from spacy.training import Example, validate_examples

from ..errors import Errors, Warnings
from ..io.rejects import Rejects
from ..llm import registry as _backends  # noqa: F401  (registers the backends)
from ..llm import routing as _routing  # noqa: F401  (registers the route rules)
from ..llm.cache import ResultCache, generate_cached
from ..llm.redact import redact
from ..llm.tasks.base import set_extension
from ..llm.types import Backend, Result
from ..util import read_cfg_file

logger = logging.getLogger("nlpkit")

DEFAULT_LLM_CONFIG = {
    "task": {"@misc": "nlpkit.Summarize.v1", "max_words": 30},
    "backend": {
        "@misc": "nlpkit.LlamaCpp.v1",
        "settings": {"@misc": "nlpkit.GenerationSettings.v1"},
    },
    "route": None,
    "cache_path": None,
    "use_cache": True,
    "batch_size": 16,
    "error_attr": "llm_error",
    "raw_attr": "llm_raw",
    "rejects_path": None,
    "price_per_1k_input": 0.0,
    "price_per_1k_output": 0.0,
}


@dataclass
class RunStats:
    """What a run handed off and what it cost."""

    docs_seen: int = 0
    docs_routed: int = 0
    docs_skipped: int = 0
    docs_empty: int = 0
    requests_sent: int = 0
    cache_hits: int = 0
    failures: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    wall_time: float = 0.0
    estimated_cost: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Outcome:
    """The LLM's answer for one doc: parsed annotation or the reason it failed."""

    result: Result
    parsed: Any = None
    error: str | None = None


@Language.factory("nlpkit_llm", default_config=DEFAULT_LLM_CONFIG)
def make_llm(
    nlp: Language,
    name: str,
    task: Any,
    backend: Backend | Callable[[Iterable[Iterable[str]]], Iterable[Iterable[str]]],
    route: Callable[[Doc], bool] | None,
    cache_path: str | None,
    use_cache: bool,
    batch_size: int,
    error_attr: str,
    raw_attr: str | None,
    rejects_path: str | None,
    price_per_1k_input: float,
    price_per_1k_output: float,
) -> "LLMComponent":
    """Create the LLM hand-off component (see LLMComponent)."""
    return LLMComponent(
        nlp.vocab,
        task,
        backend,
        name=name,
        route=route,
        cache_path=cache_path,
        use_cache=use_cache,
        batch_size=batch_size,
        error_attr=error_attr,
        raw_attr=raw_attr,
        rejects_path=rejects_path,
        price_per_1k_input=price_per_1k_input,
        price_per_1k_output=price_per_1k_output,
    )


class LLMComponent(Pipe):
    """Sends docs to an LLM backend through a task, and writes the parsed answers.

    task: renders prompts and parses answers (nlpkit.NER.v1, nlpkit.TextCat.v1, ...).
    backend (Backend): generate_batch(prompts, settings) -> list[Result]; a spacy-llm
        model (prompts per doc -> answers per doc) is wrapped as one.
    route (Callable[[Doc], bool] | None): docs for which it returns False are left
        untouched and not sent; None sends every doc.
    cache_path (str | None): SQLite file caching results by backend, prompt and settings.
    use_cache (bool): False bypasses the cache (nothing read, nothing written).
    batch_size (int): docs per batch; a batch's requests are sent concurrently
        (nlp.pipe(batch_size=...) overrides it, as for every spaCy component).
    error_attr (str): doc._.<error_attr> gets the failure reason (None on success).
    raw_attr (str | None): doc._.<raw_attr> gets the raw answer text.
    rejects_path (str | None): JSONL log of failed docs (source, line, reason, raw).
    price_per_1k_input / price_per_1k_output (float): for the estimated cost in stats.
    """

    def __init__(
        self,
        vocab,
        task,
        backend,
        *,
        name="nlpkit_llm",
        route=None,
        cache_path=None,
        use_cache=True,
        batch_size=16,
        error_attr="llm_error",
        raw_attr="llm_raw",
        rejects_path=None,
        price_per_1k_input=0.0,
        price_per_1k_output=0.0,
    ):
        if batch_size < 1:
            raise ValueError(
                Errors.E401.format(name="batch_size", value=batch_size, rule=">= 1")
            )
        for key, price in (
            ("price_per_1k_input", price_per_1k_input),
            ("price_per_1k_output", price_per_1k_output),
        ):
            if price < 0:
                raise ValueError(Errors.E401.format(name=key, value=price, rule=">= 0"))
        backend = as_backend(backend)
        self.vocab = vocab
        self.name = name
        self.task = task
        self.backend = backend
        self.route = route
        self.cache_path = cache_path
        self.use_cache = use_cache
        self.batch_size = batch_size
        self.error_attr = error_attr
        self.raw_attr = raw_attr
        self.rejects_path = rejects_path
        self.price_per_1k_input = price_per_1k_input
        self.price_per_1k_output = price_per_1k_output
        self.stats = RunStats()
        # called with each doc as it leaves pipe(): progress and bookkeeping of runs
        self.on_doc: Callable[[Doc], None] | None = None
        self._cache: ResultCache | None = None
        self._rejects: Rejects | None = None
        set_extension(error_attr)
        if raw_attr:
            set_extension(raw_attr)
        task.setup()

    @property
    def cache(self) -> ResultCache | None:
        if not self.use_cache or not self.cache_path:
            return None
        if self._cache is None:
            self._cache = ResultCache(self.cache_path)
        return self._cache

    @property
    def rejects(self) -> Rejects:
        if self._rejects is None:
            self._rejects = Rejects(self.rejects_path)
        return self._rejects

    def reset_stats(self) -> RunStats:
        """Start counting afresh; RETURNS the stats so far."""
        old, self.stats = self.stats, RunStats()
        return old

    def __call__(self, doc: Doc) -> Doc:
        return list(self.pipe([doc], batch_size=1))[0]

    def pipe(
        self, stream: Iterable[Doc], *, batch_size: int | None = None
    ) -> Iterator[Doc]:
        """Annotate docs batch by batch, each batch's requests in flight together."""
        error_handler = self.get_error_handler()
        for docs in util.minibatch(stream, size=batch_size or self.batch_size):
            try:
                outcomes = self.predict(docs)
                self.set_annotations(docs, outcomes)
            except Exception as err:  # noqa: BLE001  (spaCy's error-handler contract)
                error_handler(self.name, self, docs, err)
            for doc in docs:
                if self.on_doc is not None:
                    self.on_doc(doc)
                yield doc
        self.close_rejects()

    def close_rejects(self) -> None:
        """Close the rejects file (pipe() does at its end; a stopped run may not)."""
        if self._rejects is not None:
            self._rejects.close()
            self._rejects = None

    def predict(self, docs: Iterable[Doc]) -> list[Outcome | None]:
        """Send the routed docs; RETURNS an Outcome per doc (None: not sent). Docs are not changed."""
        docs = list(docs)
        start = time.perf_counter()
        stats = self.stats
        stats.docs_seen += len(docs)
        chosen = []
        for i, doc in enumerate(docs):
            if not doc.text.strip():
                stats.docs_empty += 1
            elif self.route is None or self.route(doc):
                chosen.append(i)
            else:
                stats.docs_skipped += 1
        outcomes: list[Outcome | None] = [None] * len(docs)
        if chosen:
            stats.docs_routed += len(chosen)
            pairs = self.task.generate_prompts([docs[i] for i in chosen])
            prompts = [p for p, _ in pairs]
            parsed: dict[int, Outcome] = {}

            def accept(j: int, result: Result) -> bool:
                parsed[j] = self._parse(docs[chosen[j]], result, pairs[j][1])
                return parsed[j].error is None

            results = generate_cached(
                self.backend,
                prompts,
                self.backend.settings,
                self.cache,
                accept=accept,
            )
            for j, (i, result) in enumerate(zip(chosen, results)):
                outcome = parsed.get(j)
                if outcome is None or outcome.result is not result:
                    outcome = self._parse(docs[i], result, pairs[j][1])
                self._count(outcome)
                outcomes[i] = outcome
        stats.wall_time += time.perf_counter() - start
        stats.estimated_cost = (
            stats.tokens_in * self.price_per_1k_input
            + stats.tokens_out * self.price_per_1k_output
        ) / 1000
        return outcomes

    def _parse(self, doc: Doc, result: Result, context: Any) -> Outcome:
        if not result.ok:
            return Outcome(result, error=self._redact(result.error))
        try:
            parsed = self.task.parse(doc, result.text, context)
        except ValueError as err:
            return Outcome(result, error=self._redact(str(err)))
        return Outcome(result, parsed=parsed)

    def _redact(self, message: str) -> str:
        # Backends redact their own errors; this also covers third-party backends
        # and answers that quote a key, since the message lands in rejects and logs.
        secrets = getattr(self.backend, "secrets", None)
        return redact(message, secrets() if callable(secrets) else ())

    def _count(self, outcome: Outcome) -> None:
        stats, result = self.stats, outcome.result
        if result.cached:
            stats.cache_hits += 1
        elif result.attempts:
            stats.requests_sent += 1
            stats.tokens_in += result.tokens_in
            stats.tokens_out += result.tokens_out
        if outcome.error is not None:
            stats.failures += 1

    def set_annotations(
        self, docs: Iterable[Doc], outcomes: list[Outcome | None]
    ) -> None:
        """Write parsed answers; failures go to doc._.<error_attr> and the rejects log."""
        failed = 0
        docs = list(docs)
        for doc, outcome in zip(docs, outcomes):
            if outcome is None:
                continue
            if self.raw_attr:
                doc._.set(self.raw_attr, outcome.result.text)
            if outcome.error is None:
                self.task.set_annotations(doc, outcome.parsed)
                doc._.set(self.error_attr, None)
                continue
            failed += 1
            doc._.set(self.error_attr, outcome.error)
            source = (
                doc.user_data.get("source")
                or doc.user_data.get("id")
                or f"<{self.name}>"
            )
            self.rejects.add(
                source, doc.user_data.get("line"), outcome.error, raw=doc.text
            )
        if failed:
            logger.warning(
                Warnings.W401.format(
                    task=self.task.name,
                    count=failed,
                    total=len(docs),
                    attr=self.error_attr,
                )
            )

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Language | None = None,
    ) -> None:
        """Infer labels from gold examples where the task has none."""
        examples = list(get_examples())
        validate_examples(examples, "LLMComponent.initialize")
        self.task.initialize(examples)

    def score(self, examples: Iterable[Example], **kwargs) -> dict[str, Any]:
        """The task's scores (ents_f, cats_macro_f, ...) for LLM output against gold."""
        examples = list(examples)
        validate_examples(examples, "LLMComponent.score")
        return self.task.score(examples)

    def _cfg(self) -> dict[str, Any]:
        return {
            "task": self.task.to_cfg(),
            "backend": self.backend.cache_key,
            "use_cache": self.use_cache,
            "batch_size": self.batch_size,
            "error_attr": self.error_attr,
            "raw_attr": self.raw_attr,
        }

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        serialize = {
            "cfg": lambda: srsly.json_dumps(self._cfg()),
            "examples": lambda: srsly.json_dumps(self.task.examples),
        }
        return util.to_bytes(serialize, exclude)

    def from_bytes(
        self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()
    ) -> "LLMComponent":
        deserialize = {
            "cfg": lambda b: self._load_cfg(srsly.json_loads(b)),
            "examples": lambda b: self._load_examples(srsly.json_loads(b)),
        }
        util.from_bytes(bytes_data, deserialize, exclude)
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> None:
        """Save cfg (JSON, no secrets) and the few-shot examples (examples.jsonl)."""
        path = util.ensure_path(path)
        serialize = {
            "cfg": lambda p: srsly.write_json(p, self._cfg()),
            "examples.jsonl": lambda p: srsly.write_jsonl(p, self.task.examples),
        }
        util.to_disk(path, serialize, exclude)

    def from_disk(
        self, path: str | Path, *, exclude: Iterable[str] = tuple()
    ) -> "LLMComponent":
        """Load cfg (or the cfg.json of older saves) and the few-shot examples."""
        path = util.ensure_path(path)
        if not path.exists():
            raise FileNotFoundError(Errors.E001.format(path=path))
        deserialize = {
            "cfg": lambda p: self._load_cfg(read_cfg_file(p.parent)),
            "examples.jsonl": lambda p: (
                self._load_examples(list(srsly.read_jsonl(p))) if p.exists() else None
            ),
        }
        util.from_disk(path, deserialize, exclude)
        return self

    def _load_cfg(self, cfg: dict[str, Any]) -> None:
        self.task.from_cfg(cfg.get("task", {}))

    def _load_examples(self, examples: list[dict]) -> None:
        self.task.examples = [dict(eg) for eg in examples]


def as_backend(backend: Any) -> Backend:
    """The backend itself, or a spacy-llm model (prompts per doc -> answers per doc)
    wrapped as one; anything else raises E431."""
    if isinstance(backend, Backend):
        return backend
    if callable(backend):
        from ..llm.interop import SpacyLLMModelBackend

        return SpacyLLMModelBackend(backend)
    raise ValueError(Errors.E431.format(obj=backend))


def stats_table(stats: RunStats) -> list[tuple[str, str]]:
    """Rows (name, value) for printing run stats."""
    d = stats.to_dict()
    return [
        (k.replace("_", " "), f"{v:.4f}" if isinstance(v, float) else str(v))
        for k, v in d.items()
    ]


__all__ = ["DEFAULT_LLM_CONFIG", "LLMComponent", "Outcome", "RunStats", "make_llm"]
