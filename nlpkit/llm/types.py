"""The small interface every LLM backend implements, and its value types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class GenerationSettings:
    """How to generate: the same names for every backend.

    max_new_tokens (int): most tokens to generate.
    temperature (float): 0 means greedy decoding (the same text every time).
    top_k (int): sample from the k most likely tokens; 0 turns it off.
    top_p (float): nucleus sampling mass; 1.0 turns it off.
    seed (int | None): random seed for sampling backends.
    stop (tuple[str, ...]): strings that end generation (not included in the text).
    """

    max_new_tokens: int = 64
    temperature: float = 0.0
    top_k: int = 0
    top_p: float = 1.0
    seed: int | None = 0
    stop: tuple[str, ...] = ()

    def __post_init__(self):
        from ..errors import Errors

        if self.max_new_tokens < 1:
            raise ValueError(
                Errors.E401.format(
                    name="max_new_tokens", value=self.max_new_tokens, rule=">= 1"
                )
            )
        if not 0.0 <= self.temperature <= 5.0:
            raise ValueError(
                Errors.E401.format(
                    name="temperature", value=self.temperature, rule="between 0 and 5"
                )
            )
        if self.top_k < 0:
            raise ValueError(
                Errors.E401.format(name="top_k", value=self.top_k, rule=">= 0")
            )
        if not 0.0 < self.top_p <= 1.0:
            raise ValueError(
                Errors.E401.format(name="top_p", value=self.top_p, rule="in (0, 1]")
            )
        object.__setattr__(self, "stop", tuple(self.stop))

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["stop"] = list(self.stop)
        return data

    def update(self, **changes) -> GenerationSettings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def chat_messages(prompt: str, system_prompt: str | None = None) -> list[dict]:
    """The chat messages of one prompt, after the system message if one is set."""
    system = [{"role": "system", "content": system_prompt}] if system_prompt else []
    return [*system, {"role": "user", "content": prompt}]


@dataclass
class Result:
    """What a backend returned for one prompt.

    text (str): the generated text ("" on error).
    tokens_in / tokens_out (int): prompt and completion tokens, as the backend counted.
    error (str | None): why this prompt failed after all retries; None on success.
    cached (bool): served from the cache, nothing sent.
    attempts (int): requests made for this prompt.
    """

    text: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    error: str | None = None
    cached: bool = False
    attempts: int = 1
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


@runtime_checkable
class Backend(Protocol):
    """An LLM that turns prompts into Results, several at a time where it can."""

    settings: GenerationSettings

    @property
    def cache_key(self) -> str:
        """Identifies backend kind and model, for the cache (no secrets)."""
        ...

    def generate_batch(
        self, prompts: Sequence[str], settings: GenerationSettings | None = None
    ) -> list[Result]:
        """One Result per prompt, in order; failures are Results with an error."""
        ...
