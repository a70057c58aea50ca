"""Keeping secrets out of what the program says: endpoint URLs shown without their
credentials, and every message scrubbed of the secrets it might relay.

A base URL can carry a password (``http://alice:S3CRET@host/v1``) or a key in its query
(``?api-key=...``), and an endpoint can echo the key back in an error body. Messages,
logs and the reasons a batch store keeps are built from both, so each secret is replaced
by ``***`` before a message leaves `LLMClient` (the one place endpoint errors are made).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

HIDDEN = "***"
# Shorter strings are too common to scrub from text ("x", "not-needed" is no secret).
MIN_SECRET_LENGTH = 4
OPENAI_HOSTS = frozenset({"api.openai.com"})


def shown_url(url: str) -> str:
    """`url` with its password and every query value replaced by ``***``."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", f":{HIDDEN}@", 1)
    query = urlencode([(key, HIDDEN) for key, _ in parse_qsl(parts.query)], safe="*")
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def url_secrets(url: str) -> list[str]:
    """The secrets a URL carries: its password and its query values."""
    parts = urlsplit(url)
    found = [value for _, value in parse_qsl(parts.query)]
    return found + ([parts.password] if parts.password else [])


def scrubbed(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every secret in `secrets` (long enough to be one) replaced by ``***``."""
    for secret in sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len,
                         reverse=True):  # fmt: skip
        text = text.replace(secret, HIDDEN)
    return text


def is_openai(url: str | None) -> bool:
    """True for OpenAI's own API (no URL means it too), the one place `OPENAI_API_KEY` goes."""
    return url is None or (urlsplit(url).hostname or "") in OPENAI_HOSTS
