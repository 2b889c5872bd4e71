"""Removing API keys from text nlpkit writes: errors, rejects files, log messages.

A server or proxy that echoes the request headers in an error body would otherwise
carry the key into doc._.llm_error, the rejects file and the logs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[REDACTED]"
_TOKEN = r"[A-Za-z0-9._~+/=-]+"
PATTERNS = (
    # Authorization: Bearer <token> / Basic <token>, in any quoting
    re.compile(rf"(?i)\b(bearer|basic)(\s+){_TOKEN}"),
    # "X-Api-Key": "...", api_key=..., "authorization": "..." (header echoes)
    re.compile(
        r"(?i)(\b(?:authorization|proxy-authorization|x-api-key|api[-_]?key)"
        r"[\"']?\s*[:=]\s*[\"']?)([^\"',}\s][^\"',}\n]*)"
    ),
    # OpenAI-style keys: sk-..., sk-proj-...
    re.compile(r"\bsk-[A-Za-z0-9_-]{8,}"),
)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """text with each of secrets, and anything shaped like a key, replaced.

    secrets: values known to be secret (the API key), removed wherever they occur.
    RETURNS (str): the text, safe to show, log or write.
    """
    if not text:
        return text
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    text = PATTERNS[0].sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = PATTERNS[1].sub(
        lambda m: m.group(0) if REDACTED in m.group(2) else m.group(1) + REDACTED,
        text,
    )
    return PATTERNS[2].sub(REDACTED, text)
