"""Question answering with retrieved (and optionally reranked) context."""

from typing import Any, Protocol, runtime_checkable

from spacy.util import registry

from ...errors import Errors
from .base import set_extension
from .generate import TextTask

RAG_TEMPLATE = """Answer the question using only the context below. If the context does not contain the answer, say "I don't know".

{% for passage in context -%}
[{{ loop.index }}] {{ passage }}
{% endfor %}
{%- for eg in examples %}
Question: {{ eg.text }}
Answer: {{ eg.answer }}
{% endfor %}
Question: {{ text }}
Answer:"""


@runtime_checkable
class Retriever(Protocol):
    """What the RAG task needs of an index: nlpkit.retrieval's search()."""

    def search(self, query: str, k: int = 10) -> list[Any]: ...


@runtime_checkable
class RerankerLike(Protocol):
    def rerank(
        self, query: str, candidates: list[Any], top_k: int | None = None
    ) -> list[Any]: ...


def hit_text(hit: Any) -> str:
    if isinstance(hit, str):
        return hit
    text = getattr(hit, "text", None)
    if text is None and isinstance(hit, dict):
        text = hit.get("text")
    return text or ""


def hit_id(hit: Any) -> str | None:
    value = hit.get("id") if isinstance(hit, dict) else getattr(hit, "id", None)
    return None if value is None else str(value)


class RAGTask(TextTask):
    """The doc's text is the question; the answer goes to doc._.<field>.

    retriever (Retriever): an index with search(query, k) -> list[Hit].
    k (int): passages retrieved.
    reranker (RerankerLike | None): reorders the k hits; the best top_n are kept.
    top_n (int): passages put in the prompt.
    sources_field (str): doc._.<sources_field> receives the ids of the passages used.
    """

    name = "rag"
    DEFAULT_TEMPLATE = RAG_TEMPLATE

    def __init__(
        self,
        retriever,
        *,
        k=10,
        reranker=None,
        top_n=3,
        field="answer",
        sources_field="llm_sources",
        template=None,
        examples=None,
    ):
        super().__init__(field=field, template=template, examples=examples)
        if not isinstance(retriever, Retriever):
            raise TypeError(Errors.E409.format(task=self.name, obj=retriever))
        self.retriever = retriever
        self.reranker = reranker
        self.k = k
        self.top_n = top_n
        self.sources_field = sources_field

    def setup(self) -> None:
        super().setup()
        set_extension(self.sources_field)

    def retrieve(self, question: str) -> list[Any]:
        hits = self.retriever.search(question, k=self.k)
        if self.reranker is not None and hits:
            hits = self.reranker.rerank(question, hits, top_k=self.top_n)
        return list(hits)[: self.top_n]

    def generate_prompts(self, docs) -> list[tuple[str, Any]]:
        prompts = []
        for doc in docs:
            hits = self.retrieve(doc.text)
            prompt = self.render(doc.text, context=[hit_text(h) for h in hits])
            prompts.append((prompt, [hit_id(h) for h in hits]))
        return prompts

    def parse(self, doc, text: str, context: Any = None) -> Any:
        return super().parse(doc, text), context

    def set_annotations(self, doc, parsed) -> None:
        answer, sources = parsed
        doc._.set(self.field, answer)
        doc._.set(self.sources_field, sources)

    def to_cfg(self) -> dict[str, Any]:
        return {
            **super().to_cfg(),
            "k": self.k,
            "top_n": self.top_n,
            "sources_field": self.sources_field,
        }


@registry.misc("nlpkit.RAG.v1")
def create_rag_task(
    retriever: Retriever,
    k: int = 10,
    reranker: RerankerLike | None = None,
    top_n: int = 3,
    field: str = "answer",
    sources_field: str = "llm_sources",
    template: str | None = None,
    examples: str | None = None,
) -> RAGTask:
    """Build the RAG task: retriever from config, e.g. {"@misc": "nlpkit.LoadIndex.v1", ...}."""
    return RAGTask(
        retriever,
        k=k,
        reranker=reranker,
        top_n=top_n,
        field=field,
        sources_field=sources_field,
        template=template,
        examples=examples,
    )


@registry.misc("nlpkit.LoadReranker.v1")
def create_rag_reranker(
    model: str, batch_size: int = 32, max_length: int | None = None
) -> RerankerLike:
    """nlpkit's cross-encoder Reranker (model folder or name) for the RAG task's config."""
    from ...retrieval.rerank import Reranker

    return Reranker(model, batch_size=batch_size, max_length=max_length)
