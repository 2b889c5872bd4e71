"""spacy-llm interop: nlpkit tasks and backends as spacy-llm tasks and models, and a
spacy-llm model as an nlpkit backend.

spacy-llm's protocols (spacy_llm/ty.py): a non-sharding task has
generate_prompts(docs) -> one prompt per doc and parse_responses(docs, responses)
-> docs, where each doc's responses are an iterable; a model is a callable from
prompts-per-doc to responses-per-doc. spacy-llm checks these type hints, so they
use typing.Iterable. Registration under @llm_tasks / @llm_models happens only where
spacy-llm is installed (register_spacy_llm).
"""

import functools
import logging

# spacy-llm's type check needs typing.Iterable (it reads the alias's _name).
from typing import Any, Callable, Iterable  # noqa: UP035

from spacy.tokens import Doc

from ..errors import Warnings
from .types import Backend, GenerationSettings, Result

logger = logging.getLogger("nlpkit")


class SpacyLLMTask:
    """An nlpkit task (nlpkit.NER.v1, ...) with spacy-llm's task interface."""

    def __init__(self, task: Any):
        self.task = task
        self._contexts: dict[int, Any] = {}
        task.setup()

    def generate_prompts(self, docs: Iterable[Doc]) -> Iterable[str]:
        docs = list(docs)
        pairs = self.task.generate_prompts(docs)
        for doc, (_, context) in zip(docs, pairs):
            self._contexts[id(doc)] = context
        return [prompt for prompt, _ in pairs]

    def parse_responses(
        self, docs: Iterable[Doc], responses: Iterable[str]
    ) -> Iterable[Doc]:
        # Each doc's response arrives as the model's list of answers (one per
        # prompt); the hint is the one spacy-llm's type check expects here.
        for doc, answer in zip(docs, responses):
            text = answer if isinstance(answer, str) else "".join(map(str, answer))
            context = self._contexts.pop(id(doc), None)
            try:
                parsed = self.task.parse(doc, text, context)
            except ValueError as err:
                logger.warning(Warnings.W430.format(task=self.task.name, reason=err))
            else:
                self.task.set_annotations(doc, parsed)
            yield doc

    def scorer(self, examples: Iterable[Any]) -> dict[str, Any]:
        return self.task.score(list(examples))


class NlpkitModel:
    """An nlpkit Backend as a spacy-llm model: prompts per doc -> answers per doc.

    A failed request gives an empty answer (logged with its reason), which the task
    then fails to parse, as spacy-llm's own models leave such a doc unannotated.
    """

    def __init__(self, backend: Backend):
        self.backend = backend

    def __call__(self, prompts: Iterable[Iterable[str]]) -> Iterable[Iterable[str]]:
        shards = [list(p) for p in prompts]
        results = iter(self.backend.generate_batch([p for s in shards for p in s]))
        answers = []
        for shard in shards:
            texts = []
            for _ in shard:
                result = next(results)
                if not result.ok:
                    logger.warning(Warnings.W431.format(reason=result.error))
                texts.append(result.text)
            answers.append(texts)
        return answers


class SpacyLLMModelBackend:
    """A spacy-llm model (e.g. spacy.GPT-4.v3) as an nlpkit Backend.

    spacy-llm models carry their own generation config, so `settings` only keys the
    cache; an exception from the model fails every prompt of the batch.
    """

    def __init__(self, model: Callable, settings: GenerationSettings | None = None):
        self.model = model
        self.settings = settings or GenerationSettings()

    @property
    def cache_key(self) -> str:
        name = getattr(self.model, "_name", None) or getattr(self.model, "name", "")
        return f"spacy-llm:{type(self.model).__qualname__}:{name}"

    def generate_batch(
        self, prompts: Iterable[str], settings: GenerationSettings | None = None
    ) -> list[Result]:
        prompts = list(prompts)
        try:
            answers = list(self.model([[p] for p in prompts]))
        except Exception as err:  # noqa: BLE001  (a third-party model's failure)
            return [Result(error=f"{type(err).__name__}: {err}") for _ in prompts]
        results = []
        for answer in answers:
            parts = [answer] if isinstance(answer, str) else list(answer)
            results.append(Result(text="".join(map(str, parts))))
        return results


def _wrap(create: Callable, wrapper: type) -> Callable:
    @functools.wraps(create)
    def create_wrapped(*args, **kwargs):
        return wrapper(create(*args, **kwargs))

    create_wrapped.__annotations__ = {**create.__annotations__, "return": wrapper}
    return create_wrapped


def spacy_llm_blocks() -> tuple[dict[str, Callable], dict[str, Callable]]:
    """(tasks, models): nlpkit's registered tasks and backends, read from the
    registry and wrapped for spacy-llm, by their nlpkit names."""
    from .build import _registered

    misc = __import__("spacy").util.registry.misc
    tasks = _registered("nlpkit.llm.tasks", r"create_(\w+)_task", None)
    models = _registered("nlpkit.llm.registry", r"create_(\w+)_backend", None)
    return (
        {name: _wrap(misc.get(name), SpacyLLMTask) for name in tasks.values()},
        {name: _wrap(misc.get(name), NlpkitModel) for name in models.values()},
    )


def register_spacy_llm() -> bool:
    """Register nlpkit's tasks as @llm_tasks and backends as @llm_models, under
    their nlpkit names; RETURNS False (doing nothing) without spacy-llm."""
    try:
        from spacy_llm.registry import registry as llm_registry
    except ImportError:
        return False
    tasks, models = spacy_llm_blocks()
    for name, func in tasks.items():
        llm_registry.llm_tasks.register(name, func=func)
    for name, func in models.items():
        llm_registry.llm_models.register(name, func=func)
    return True


def _export(blocks: dict[str, Callable]) -> None:
    # Module attributes (create_ner_task, ...) for the thinc_llm_tasks and
    # thinc_llm_models entry points, which need a `module:name` to load.
    for func in blocks.values():
        globals()[func.__name__] = func


for _blocks in spacy_llm_blocks():
    _export(_blocks)
register_spacy_llm()
