"""The one LLM path: an OpenAI-compatible endpoint, through openai + instructor.

`LLMClient.extract(model, messages)` returns a validated Pydantic object;
`LLMClient.empty_list_weight` reads, from the log-probabilities of the first tokens of
the same answer, how likely the model finds an empty list. Below them,
`RetryingTransport` retries transport failures; instructor re-asks (bounded) when the
answer fails validation, feeding the error back. Token usage and call counts are
summed over every completion, re-asks included, into the `Usage` the caller passes.
Errors come out as the `SummarizerError` hierarchy, never as openai's or instructor's.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx2
import instructor
import openai
from instructor.core import IncompleteOutputException, InstructorRetryException
from instructor.core.exceptions import ResponseParsingError
from openai.types import CompletionUsage
from pydantic import BaseModel

from summarizer._errors import AuthenticationError, EndpointError, ExtractionError
from summarizer._llm.transport import RetryingTransport
from summarizer._secrets import scrubbed, shown_url, url_secrets
from summarizer._settings import ResponseFormat, Settings

T = TypeVar("T", bound=BaseModel)

# Alternatives read per answer token; OpenAI allows up to 20. An empty list's token is
# within the first few whenever it has a chance worth counting.
TOP_LOGPROBS = 8
# Answer tokens read for the empty-list weight: '{"', 'inc', 'idents', '":', ' [{"' in
# the embedded model's tokens; one to spare.
PROBE_TOKENS = 6


@dataclass
class Usage:
    """Tokens and calls spent, summed over every attempt."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_calls: int = 0

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.llm_calls += other.llm_calls


# Which Usage the completions of the current call count into (per thread / task).
_meter: contextvars.ContextVar[Usage | None] = contextvars.ContextVar("meter", default=None)


def _count_completion(response: Any) -> None:
    _count(getattr(response, "usage", None))


def _count(reported: Any) -> None:
    """Count one call, and the tokens the endpoint reported for it, into the meter."""
    usage = _meter.get()
    if usage is None:
        return
    usage.llm_calls += 1
    if reported is not None:
        usage.prompt_tokens += reported.prompt_tokens or 0
        usage.completion_tokens += reported.completion_tokens or 0


class LLMClient:
    """Structured extraction against one OpenAI-compatible endpoint and model."""

    def __init__(
        self,
        *,
        base_url: str | None,
        model: str,
        api_key: str | None,
        settings: Settings,
        response_format: ResponseFormat = "json_schema",
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url or "https://api.openai.com/v1"
        # What messages show of the endpoint, and what they must never show.
        self.shown_url = shown_url(self.base_url)
        self._secrets = [api_key, *url_secrets(self.base_url)]
        self.model = model
        self.response_format = response_format
        self._settings = settings
        http_client = httpx2.Client(
            transport=RetryingTransport(
                transport,
                attempts=settings.transport_retries + 1,
                max_backoff=settings.max_backoff,
            ),
            timeout=settings.timeout,
        )
        raw = openai.OpenAI(
            base_url=self.base_url,
            api_key=api_key or "not-needed",
            http_client=http_client,
            # Given again: openai takes a client timeout equal to httpx's default (5 s) for
            # "not set" and puts its own 600 s in its place.
            timeout=settings.timeout,
            max_retries=0,  # transport retries happen in RetryingTransport
        )
        self._raw = raw
        self._client = instructor.from_openai(raw, mode=instructor.Mode.JSON_SCHEMA)
        self._client.on("completion:response", _count_completion)

    def extract(self, response_model: type[T], messages: list[dict[str, str]], usage: Usage) -> T:
        """Ask the model to fill `response_model`; spend is added to `usage`."""
        with self._calling(usage):
            return self._client.chat.completions.create(
                model=self.model,
                messages=messages,
                response_model=response_model,
                max_retries=self._settings.reasks,
                temperature=self._settings.temperature,
                seed=self._settings.seed,
                **self._constraint(response_model, instructor_builds_it=True),
            )

    def empty_list_weight(
        self, response_model: type[BaseModel], messages: list[dict[str, str]], usage: Usage
    ) -> float | None:
        """How much weight the model gives to an empty list where its answer to `messages`
        opens one (`empty_list_probability`), read from the first `PROBE_TOKENS` tokens
        of that answer; None when the endpoint returns no log-probabilities.

        A call of its own: log-probabilities cost llama-cpp-python a sort of the whole
        vocabulary per answer token (a minute over a full answer), a few tokens cost little,
        and the server's prompt cache serves the fill that follows with the same messages.
        Streamed: asked for an answer in one piece, llama-cpp-python also turns every
        prompt token's logits into log-probabilities (about 7 s an article here); a stream
        gets them for the tokens it sends only.
        """
        steps: list[Any] = []
        reported = None
        with self._calling(usage):
            stream = self._raw.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=PROBE_TOKENS,
                logprobs=True,
                top_logprobs=TOP_LOGPROBS,
                temperature=self._settings.temperature,
                seed=self._settings.seed,
                stream=True,
                stream_options={"include_usage": True},
                **self._constraint(response_model, instructor_builds_it=False),
            )
            for chunk in stream:
                reported = chunk.usage or reported
                for choice in chunk.choices:
                    steps.extend((choice.logprobs and choice.logprobs.content) or [])
            # instructor's hook counts only its own calls
            _count(reported or self._usage_of_stream(messages, len(steps)))
        return empty_list_probability(steps)

    def _usage_of_stream(self, messages: list[dict[str, str]], answered: int) -> CompletionUsage:
        """The usage of a streamed answer to `messages` from an endpoint that reports none in
        a stream (llama-cpp-python; OpenAI and vLLM do, when asked): the same messages again,
        for one unconstrained token, cost a prompt the server has just cached and tell
        its length, so that the prompt is counted like any other."""
        again = self._raw.chat.completions.create(
            model=self.model,
            messages=messages,  # type: ignore[arg-type]
            max_tokens=1,
            temperature=self._settings.temperature,
            seed=self._settings.seed,
        )
        prompt = again.usage.prompt_tokens if again.usage else 0
        return CompletionUsage(
            prompt_tokens=prompt, completion_tokens=answered, total_tokens=prompt + answered
        )

    @contextlib.contextmanager
    def _calling(self, usage: Usage) -> Iterator[None]:
        """Count the completions made inside into `usage`; raise our errors, not theirs."""
        token = _meter.set(usage)
        try:
            yield
        except Exception as exc:
            raise self._translate(exc) from exc
        finally:
            _meter.reset(token)

    def _constraint(
        self, response_model: type[BaseModel], *, instructor_builds_it: bool
    ) -> dict[str, Any]:
        """The request options that constrain the answer to `response_model`'s JSON."""
        schema = response_model.model_json_schema()
        if self.response_format == "json_object":
            # llama-cpp-python's dialect: it rejects {"type": "json_schema"} but builds the
            # same grammar from {"type": "json_object", "schema": ...}.
            return {"extra_body": {"response_format": {"type": "json_object", "schema": schema}}}
        if instructor_builds_it:  # instructor's JSON_SCHEMA mode adds response_format
            return {}
        named = {"name": response_model.__name__, "schema": schema}
        return {"response_format": {"type": "json_schema", "json_schema": named}}

    def _translate(self, exc: Exception) -> Exception:
        """One clear error for whatever openai or instructor raised, scrubbed of the key
        and of the URL's credentials (an endpoint may echo them back)."""
        translated = self._translated(exc)
        if translated is exc:
            return exc
        message = scrubbed(str(translated), self._secrets)
        return type(translated)(message)

    def _translated(self, exc: Exception) -> Exception:
        cause = _root_cause(exc)
        if isinstance(cause, (openai.AuthenticationError, openai.PermissionDeniedError)):
            return AuthenticationError(
                f"{self.shown_url} refused the API key (HTTP {cause.status_code}); "
                "check --api-key / SUMMARIZER_API_KEY"
            )
        if isinstance(cause, (openai.APIConnectionError, httpx2.TransportError)):
            return EndpointError(f"cannot reach the model endpoint {self.shown_url}: {cause}")
        if isinstance(cause, openai.APIStatusError):
            return EndpointError(
                f"the model endpoint {self.shown_url} answered HTTP {cause.status_code}: "
                f"{_short(cause.message)}"
            )
        if isinstance(cause, json.JSONDecodeError):  # the HTTP body, not the model's answer
            return EndpointError(
                f"the model endpoint {self.shown_url} answered a body that is not JSON "
                f"({cause.msg} at character {cause.pos})"
            )
        if (sent := _instead_of_a_completion(exc, cause)) is not None:
            # No completion at all: an endpoint problem (a proxy's login page, an empty
            # list of choices), not an answer of the model's that failed validation.
            return EndpointError(
                f"the model endpoint {self.shown_url} answered no completion ({sent}); "
                "is it an OpenAI-compatible API?"
            )
        if isinstance(exc, IncompleteOutputException):
            return ExtractionError(
                "the model's answer was cut off at the token limit; try a shorter article"
            )
        if isinstance(exc, InstructorRetryException):
            return ExtractionError(
                f"the model's answer did not validate after {exc.n_attempts} attempt(s): "
                f"{_short(str(cause))}"
            )
        return exc


def empty_list_probability(steps: Iterable[Any]) -> float | None:
    """P(the list is closed at once | the model opens it), at the first answer token that
    holds "[": the share of that token's alternatives holding "[]" (' []' against ' [{"').

    `steps` are an answer's tokens with their log-probabilities (OpenAI's
    ``logprobs.content``). The answer is constrained to JSON, but log-probabilities are
    the model's own: a small model that opens a list of incidents for nearly every
    article still gives an empty list more weight when the article reports none. None
    without log-probabilities.
    """
    for step in steps:
        if "[" in step.token:
            weights = [(a.token, math.exp(a.logprob)) for a in step.top_logprobs or []]
            opened = sum(w for text, w in weights if "[" in text)
            closed = sum(w for text, w in weights if "[]" in text)
            return closed / opened if opened else None
    return None


def _root_cause(exc: BaseException) -> BaseException:
    """instructor wraps every failure alike; the first non-instructor cause says what it was."""
    seen = exc
    while isinstance(seen, InstructorRetryException) and seen.__cause__:
        seen = seen.__cause__
    return seen


def _instead_of_a_completion(exc: BaseException, cause: BaseException) -> str | None:
    """What the endpoint sent when it sent no completion, in a few words; else None."""
    last = getattr(exc, "last_completion", None)
    if last is not None and getattr(last, "choices", None) == []:
        return "an empty list of choices"
    if not isinstance(cause, ResponseParsingError):
        return None
    raw = cause.raw_response
    if isinstance(raw, str):
        kind = "an HTML page" if raw.lstrip()[:1] == "<" else "text"
        return f"{kind}: {_short(raw, 80)}"
    return "no choices"


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
