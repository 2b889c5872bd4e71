"""The search result every retriever, index and reranker returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Hit:
    """One retrieved or reranked passage.

    id (str): the document id.
    score (float): the ranker's score; higher is better.
    text (str | None): the passage text, when the index keeps it.
    meta (dict): anything else (title, first-stage scores and ranks); an index
        shares its document's meta dict with the hit, copy before changing it.
    """

    id: str
    score: float
    text: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """id, score, text and meta (shared, not copied) as a dict."""
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hit:
        return cls(
            id=str(data["id"]),
            score=float(data["score"]),
            text=data.get("text"),
            meta=dict(data.get("meta") or {}),
        )
