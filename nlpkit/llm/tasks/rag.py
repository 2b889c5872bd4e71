"""Question answering with retrieved (and optionally reranked) context.

The retriever is an nlpkit index, a RerankedRetriever (nlpkit.RerankedRetriever.v1:
search, then rerank) or anything with search(query, k); `k` passages go into the
prompt. The `reranker` setting is the short form of a RerankedRetriever.
"""

import warnings
from typing import Any, Protocol, runtime_checkable

from spacy.util import registry

from ...components.reranker import create_reranker
from ...errors import Errors, Warnings
from ...retrieval.base import DEFAULT_DEPTH, Retriever, as_retriever
from .base import set_extension
from .generate import TextTask

DEFAULT_CONTEXT_K = 3  # passages in the prompt: few, as small LLMs have short contexts

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

    retriever (Retriever): an index, a RerankedRetriever, or anything with
        search(query, k) -> hits.
    k (int): passages put in the prompt, best first.
    reranker (RerankerLike | None): short for retriever = RerankedRetriever(
        retriever, reranker, depth=depth): the first stage's top depth hits are
        reranked and the best k kept.
    depth (int | None): hits reranked (None: RerankedRetriever's default).
    top_n (int | None): deprecated; the old pair (k retrieved, top_n kept) still
        works: with top_n given, depth = k and k = top_n.
    sources_field (str): doc._.<sources_field> receives the ids of the passages used.
    """

    name = "rag"
    DEFAULT_TEMPLATE = RAG_TEMPLATE

    def __init__(
        self,
        retriever,
        *,
        k=DEFAULT_CONTEXT_K,
        reranker=None,
        depth=None,
        top_n=None,
        field="answer",
        sources_field="llm_sources",
        template=None,
        examples=None,
    ):
        super().__init__(field=field, template=template, examples=examples)
        if not callable(getattr(retriever, "search", None)):
            raise TypeError(Errors.E409.format(task=self.name, obj=retriever))
        if top_n is not None:
            warnings.warn(
                Warnings.W330.format(
                    old="top_n (with k = hits retrieved)",
                    new="k (passages kept) and depth (hits reranked)",
                    where="nlpkit.RAG.v1",
                ),
                DeprecationWarning,
                stacklevel=2,
            )
            depth, k = depth or k, min(top_n, k)
        self.retriever = as_retriever(retriever)
        if reranker is not None:
            from ...retrieval.rerank import RerankedRetriever

            self.retriever = RerankedRetriever(
                self.retriever, reranker, depth=depth or DEFAULT_DEPTH
            )
        self.reranker = reranker
        self.k = k
        self.sources_field = sources_field

    def setup(self) -> None:
        super().setup()
        set_extension(self.sources_field)

    def retrieve(self, question: str) -> list[Any]:
        return list(self.retriever.search(question, self.k))[: self.k]

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
            "depth": getattr(self.retriever, "depth", None),
            "sources_field": self.sources_field,
        }


@registry.misc("nlpkit.RAG.v1")
def create_rag_task(
    retriever: Any,
    k: int = DEFAULT_CONTEXT_K,
    reranker: RerankerLike | None = None,
    depth: int | None = None,
    top_n: int | None = None,
    field: str = "answer",
    sources_field: str = "llm_sources",
    template: str | None = None,
    examples: str | None = None,
) -> RAGTask:
    """Build the RAG task: retriever from config, e.g. {"@misc": "nlpkit.LoadIndex.v1", ...}
    or {"@misc": "nlpkit.RerankedRetriever.v1", ...}."""
    return RAGTask(
        retriever,
        k=k,
        reranker=reranker,
        depth=depth,
        top_n=top_n,
        field=field,
        sources_field=sources_field,
        template=template,
        examples=examples,
    )


# The old name of nlpkit.Reranker.v1, kept working as an alias.
create_rag_reranker = registry.misc.register(
    "nlpkit.LoadReranker.v1", func=create_reranker
)


__all__ = ["RAGTask", "RerankerLike", "Retriever", "create_rag_task"]
