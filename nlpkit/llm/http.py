"""An OpenAI-compatible HTTP backend: retries with backoff, several requests in flight."""

from __future__ import annotations

import email.utils
import logging
import os
import random
import socket
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from ..errors import Errors, Warnings
from .redact import redact
from .types import GenerationSettings, Result, chat_messages

logger = logging.getLogger("nlpkit")

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class RetryableError(Exception):
    """A failure worth another attempt (429, 5xx, connection trouble, bad body)."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def check_key_transport(base_url: str, key_env: str) -> None:
    """Refuse to send a key in clear text to another machine.

    base_url and api_key_env come from a pipeline's config, which may have been
    downloaded: without this, a planted http:// URL would carry the user's key away
    unencrypted. NLPKIT_ALLOW_HTTP_KEY=1 (the user's own environment, never a
    config) allows it, e.g. for a server on a trusted LAN.
    """
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" or host in LOOPBACK_HOSTS or host.startswith("127."):
        return
    if os.environ.get("NLPKIT_ALLOW_HTTP_KEY") == "1":
        return
    raise RuntimeError(Errors.E415.format(name=key_env, url=base_url))


class OpenAICompatibleBackend:
    """Chat (or plain) completions from any server that speaks the OpenAI API.

    base_url (str): e.g. "http://127.0.0.1:8080/v1" or "https://api.openai.com/v1".
    model (str): the model name the server knows.
    api_key_env (str | None): NAME of the environment variable holding the API key;
        the key is read at request time and never stored in config or on disk.
    settings (GenerationSettings): default generation settings.
    timeout (float): seconds for one request (connect, read, write).
    max_retries (int): further attempts after the first on 429/5xx/connection errors.
    backoff_base / backoff_max (float): exponential backoff with full jitter, seconds.
    max_concurrency (int): requests kept in flight at once by generate_batch.
    chat (bool): use /chat/completions (True) or /completions (False).
    system_prompt (str | None): a system message put before each prompt.
    """

    DEFAULT_TIMEOUT = 60.0
    DEFAULT_MAX_RETRIES = 3
    DEFAULT_MAX_CONCURRENCY = 4

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str | None = None,
        settings: GenerationSettings | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff_base: float = 0.5,
        backoff_max: float = 20.0,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        chat: bool = True,
        system_prompt: str | None = None,
    ):
        if max_concurrency < 1:
            raise ValueError(
                Errors.E401.format(
                    name="max_concurrency", value=max_concurrency, rule=">= 1"
                )
            )
        if max_retries < 0:
            raise ValueError(
                Errors.E401.format(name="max_retries", value=max_retries, rule=">= 0")
            )
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key_env = api_key_env
        self.settings = settings or GenerationSettings()
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_concurrency = max_concurrency
        self.chat = chat
        self.system_prompt = system_prompt
        self._rng = random.Random()
        self._answered = False  # has the server ever answered this backend?

    @property
    def cache_key(self) -> str:
        kind = "chat" if self.chat else "completions"
        return f"openai:{self.base_url}:{self.model}:{kind}:{self.system_prompt or ''}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/{'chat/completions' if self.chat else 'completions'}"

    def _api_key(self) -> str | None:
        if not self.api_key_env:
            return None
        key = os.environ.get(self.api_key_env)
        if not key:
            raise RuntimeError(
                Errors.E402.format(name=self.api_key_env, url=self.base_url)
            )
        check_key_transport(self.base_url, self.api_key_env)
        return key

    def preflight(self) -> None:
        """Raise (E416) at once when nothing listens at base_url, before a long run."""
        parts = urlsplit(self.base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            socket.create_connection(
                (parts.hostname or "", port), timeout=min(self.timeout, 10.0)
            ).close()
        except OSError as err:
            reason = err.strerror or type(err).__name__
            raise RuntimeError(
                Errors.E416.format(url=self.base_url, reason=reason)
            ) from err

    def _key_value(self) -> str | None:
        """The key if set, for redaction only (no checks, no errors)."""
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def secrets(self) -> list[str]:
        """Values that must never appear in anything written: the API key."""
        key = self._key_value()
        return [key] if key else []

    def _new_client(self):
        import httpx

        limits = httpx.Limits(
            max_connections=self.max_concurrency,
            max_keepalive_connections=self.max_concurrency,
        )
        return httpx.Client(timeout=self.timeout, limits=limits)

    def payload(self, prompt: str, settings: GenerationSettings) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": settings.max_new_tokens,
            "temperature": settings.temperature,
            "top_p": settings.top_p,
        }
        if self.chat:
            body["messages"] = chat_messages(prompt, self.system_prompt)
        else:
            body["prompt"] = prompt
        if settings.top_k:
            body["top_k"] = settings.top_k
        if settings.seed is not None:
            body["seed"] = settings.seed
        if settings.stop:
            body["stop"] = list(settings.stop)
        return body

    def generate_batch(
        self, prompts: Sequence[str], settings: GenerationSettings | None = None
    ) -> list[Result]:
        """Send every prompt, at most max_concurrency at a time; RETURNS Results in order."""
        settings = settings or self.settings
        if not prompts:
            return []
        try:
            headers = {"Content-Type": "application/json"}
            key = self._api_key()
            if key:
                headers["Authorization"] = f"Bearer {key}"
        except RuntimeError as err:
            return [Result(error=str(err), attempts=0) for _ in prompts]
        # one connection pool per batch, closed at its end: no sockets left open
        with self._new_client() as client:
            if self.max_concurrency == 1 or len(prompts) == 1:
                return [
                    self._generate_one(client, p, settings, headers) for p in prompts
                ]
            workers = min(self.max_concurrency, len(prompts))
            with ThreadPoolExecutor(max_workers=workers) as pool:
                return list(
                    pool.map(
                        lambda p: self._generate_one(client, p, settings, headers),
                        prompts,
                    )
                )

    def _generate_one(
        self, client, prompt: str, settings: GenerationSettings, headers: dict
    ) -> Result:
        attempts = self.max_retries + 1
        body = self.payload(prompt, settings)
        reason = ""
        for attempt in range(1, attempts + 1):
            try:
                return self._request(client, body, headers, attempt)
            except RetryableError as err:
                reason = str(err)
                if attempt == attempts:
                    break
                wait = self._wait(attempt, err.retry_after)
                logger.debug(
                    Warnings.W402.format(
                        url=self.url,
                        wait=wait,
                        attempt=attempt + 1,
                        attempts=attempts,
                        reason=reason,
                    )
                )
                time.sleep(wait)
            except PermanentError as err:
                return Result(
                    error=Errors.E403.format(
                        url=self.url, attempts=attempt, reason=err
                    ),
                    attempts=attempt,
                )
        return Result(
            error=Errors.E403.format(url=self.url, attempts=attempts, reason=reason),
            attempts=attempts,
        )

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.backoff_max)
        cap = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return self._rng.uniform(cap / 2, cap)

    def _request(self, client, body: dict, headers: dict, attempt: int) -> Result:
        import httpx

        # Redacted before it is cut to 200 characters, so no part of a key survives.
        def shown(text: str) -> str:
            return redact(text, [headers.get("Authorization"), self._key_value()])[:200]

        try:
            response = client.post(self.url, json=body, headers=headers)
        except httpx.ConnectError as err:
            # Refused before the server ever answered: no server there, and waiting
            # through every retry of every doc would not start one.
            if not self._answered and "refused" in str(err).lower():
                reason = Errors.E416.format(url=self.base_url, reason="refused")
                raise PermanentError(reason) from err
            raise RetryableError(shown(f"{type(err).__name__}: {err}")) from err
        except httpx.TransportError as err:
            raise RetryableError(shown(f"{type(err).__name__}: {err}")) from err
        self._answered = True
        if response.status_code in RETRY_STATUS:
            raise RetryableError(
                f"HTTP {response.status_code}: {shown(response.text)}",
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if response.status_code >= 400:
            raise PermanentError(f"HTTP {response.status_code}: {shown(response.text)}")
        try:
            data = response.json()
            choice = data["choices"][0]
            text = choice["message"]["content"] if self.chat else choice["text"]
            if not isinstance(text, str):
                raise TypeError(f"content is {type(text).__name__}, not a string")
        except (ValueError, KeyError, IndexError, TypeError) as err:
            raise RetryableError(
                f"malformed response ({type(err).__name__}: {shown(str(err))}): "
                f"{shown(response.text)!r}"
            ) from err
        usage = data.get("usage") or {}
        return Result(
            text=text,
            tokens_in=int(usage.get("prompt_tokens") or 0),
            tokens_out=int(usage.get("completion_tokens") or 0),
            attempts=attempt,
            meta={"finish_reason": choice.get("finish_reason")},
        )


class PermanentError(Exception):
    """A failure that another attempt will not fix (400, 401, 404...)."""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)
