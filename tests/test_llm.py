"""The LLM client: re-asks with usage summed, and each failure as our own error."""

from __future__ import annotations

import json
import math

import httpx2
import pytest
from pydantic import BaseModel, Field

from summarizer import AuthenticationError, EndpointError, ExtractionError, Settings, Usage
from summarizer._llm.client import PROBE_TOKENS, TOP_LOGPROBS, LLMClient


class City(BaseModel):
    name: str = Field(max_length=20)
    killed: int


def completion(content: str, prompt_tokens: int, completion_tokens: int) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


class Endpoint:
    """Answers chat completions from a list, recording the requests it got."""

    def __init__(self, *answers: httpx2.Response) -> None:
        self.answers = list(answers)
        self.requests: list[dict] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(json.loads(request.content))
        return self.answers[len(self.requests) - 1]


def client(endpoint: Endpoint, response_format: str = "json_schema", reasks: int = 2) -> LLMClient:
    settings = Settings(
        base_url="http://model.test/v1",
        model="test-model",
        reasks=reasks,
        transport_retries=2,
        max_backoff=0,
    )
    return LLMClient(
        base_url=settings.base_url,
        model="test-model",
        api_key="k",
        settings=settings,
        response_format=response_format,
        transport=httpx2.MockTransport(endpoint),
    )


def test_reask_feeds_the_error_back_and_sums_usage() -> None:
    endpoint = Endpoint(
        httpx2.Response(200, json=completion('{"name": "Belgorod", "killed": "many"}', 100, 10)),
        httpx2.Response(200, json=completion('{"name": "Belgorod", "killed": 14}', 130, 12)),
    )
    usage = Usage()
    city = client(endpoint).extract(City, [{"role": "user", "content": "text"}], usage)
    assert city.model_dump() == {"name": "Belgorod", "killed": 14}
    assert usage == Usage(prompt_tokens=230, completion_tokens=22, llm_calls=2)
    # The second request carries the failed answer and the validation error.
    reask = json.dumps(endpoint.requests[1]["messages"])
    assert "killed" in reask and "many" in reask
    assert len(endpoint.requests[1]["messages"]) > len(endpoint.requests[0]["messages"])


def test_transport_retry_is_not_a_reask() -> None:
    endpoint = Endpoint(
        httpx2.Response(503, json={"error": "busy"}),
        httpx2.Response(200, json=completion('{"name": "Kyiv", "killed": 39}', 50, 8)),
    )
    usage = Usage()
    assert client(endpoint).extract(City, [{"role": "user", "content": "t"}], usage).killed == 39
    assert usage.llm_calls == 1
    assert endpoint.requests[0] == endpoint.requests[1]


def test_json_object_dialect_sends_the_schema() -> None:
    endpoint = Endpoint(httpx2.Response(200, json=completion('{"name": "A", "killed": 1}', 5, 5)))
    client(endpoint, response_format="json_object").extract(City, [], Usage())
    assert endpoint.requests[0]["response_format"] == {
        "type": "json_object",
        "schema": City.model_json_schema(),
    }


def test_json_schema_format_by_default() -> None:
    endpoint = Endpoint(httpx2.Response(200, json=completion('{"name": "A", "killed": 1}', 5, 5)))
    client(endpoint).extract(City, [], Usage())
    assert endpoint.requests[0]["response_format"]["type"] == "json_schema"


def test_answers_that_never_validate_raise_extraction_error() -> None:
    bad = httpx2.Response(200, json=completion('{"name": "x"}', 10, 3))
    endpoint = Endpoint(bad, bad, bad)
    usage = Usage()
    with pytest.raises(ExtractionError, match="did not validate after 3 attempt"):
        client(endpoint, reasks=2).extract(City, [], usage)
    assert usage.llm_calls == 3


@pytest.mark.parametrize("status", [401, 403])
def test_refused_key_raises_authentication_error_without_retry(status: int) -> None:
    endpoint = Endpoint(httpx2.Response(status, json={"error": {"message": "bad key"}}))
    with pytest.raises(AuthenticationError, match="refused the API key"):
        client(endpoint).extract(City, [], Usage())
    assert len(endpoint.requests) == 1


def test_unreachable_endpoint_raises_endpoint_error() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused")

    settings = Settings(base_url="http://model.test/v1", transport_retries=1, max_backoff=0)
    llm = LLMClient(
        base_url=settings.base_url,
        model="m",
        api_key=None,
        settings=settings,
        transport=httpx2.MockTransport(refuse),
    )
    with pytest.raises(EndpointError, match="cannot reach the model endpoint"):
        llm.extract(City, [], Usage())


def test_server_error_after_retries_raises_endpoint_error() -> None:
    endpoint = Endpoint(*[httpx2.Response(500, json={"error": "boom"})] * 3)
    with pytest.raises(EndpointError, match="HTTP 500"):
        client(endpoint).extract(City, [], Usage())
    assert len(endpoint.requests) == 3


REPORTED = {"prompt_tokens": 100, "completion_tokens": 2, "total_tokens": 102}


def _chunk(token: str | None, steps: list[dict] | None, usage: dict | None = None) -> str:
    choices = [] if token is None else [
        {
            "index": 0,
            "delta": {"content": token},
            "logprobs": None if steps is None else {"content": steps},
            "finish_reason": None,
        }
    ]  # fmt: skip
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "test-model"}
    return "data: " + json.dumps({**chunk, "choices": choices, "usage": usage}) + "\n\n"


def with_logprobs(
    list_token: str, alternatives: dict[str, float], *, usage: bool = False
) -> httpx2.Response:
    """A streamed answer whose token opening the list had these alternatives; with
    `usage`, a last chunk reports tokens, as OpenAI's does when asked."""
    top = [{"token": t, "logprob": lp, "bytes": None} for t, lp in alternatives.items()]
    opening = {"token": list_token, "logprob": alternatives[list_token], "bytes": None}
    steps = [
        {"token": '{"cities":', "logprob": -0.1, "bytes": None, "top_logprobs": []},
        {**opening, "top_logprobs": top},
    ]
    body = "".join(_chunk(step["token"], [step]) for step in steps)
    if usage:
        body += _chunk(None, None, REPORTED)
    return httpx2.Response(
        200, headers={"content-type": "text/event-stream"}, content=body + "data: [DONE]\n\n"
    )


def without_logprobs() -> httpx2.Response:
    """A streamed answer from an endpoint that gives no log-probabilities."""
    body = _chunk('{"cities": [', None) + _chunk(None, None, REPORTED) + "data: [DONE]\n\n"
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)


class Cities(BaseModel):
    cities: list[City]


def test_empty_list_weight_reads_the_first_tokens_of_the_answer() -> None:
    alternatives = {' [{"': math.log(0.6), " [\n": math.log(0.2), " []": math.log(0.2)}
    endpoint = Endpoint(with_logprobs(' [{"', alternatives, usage=True))
    usage = Usage()
    weight = client(endpoint).empty_list_weight(Cities, [{"role": "user", "content": "t"}], usage)
    assert weight == pytest.approx(0.2)  # 0.2 of the 1.0 that opens a list
    request = endpoint.requests[0]
    assert (request["logprobs"], request["top_logprobs"]) == (True, TOP_LOGPROBS)
    assert request["max_tokens"] == PROBE_TOKENS
    # Streamed, so that llama-cpp-python computes log-probabilities for these tokens only.
    assert request["stream"] is True and request["stream_options"] == {"include_usage": True}
    # Constrained like the fill, so its first tokens are the fill's.
    assert request["response_format"]["json_schema"]["schema"] == Cities.model_json_schema()
    assert usage == Usage(prompt_tokens=100, completion_tokens=2, llm_calls=1)


def test_a_stream_without_usage_has_its_prompt_counted_by_one_more_token() -> None:
    alternatives = {' [{"': math.log(0.7), " []": math.log(0.3)}
    # llama-cpp-python's stream reports no usage; the same messages again for one token do.
    again = httpx2.Response(200, json=completion("{", 120, 1))
    endpoint = Endpoint(with_logprobs(' [{"', alternatives), again)
    usage = Usage()
    messages = [{"role": "user", "content": "t"}]
    weight = client(endpoint, "json_object").empty_list_weight(Cities, messages, usage)
    assert weight == pytest.approx(0.3)
    assert usage == Usage(prompt_tokens=120, completion_tokens=2, llm_calls=1)
    counted = endpoint.requests[1]
    assert counted["messages"] == messages and counted["max_tokens"] == 1
    assert not {"stream", "logprobs", "response_format"} & set(counted)


def test_empty_list_weight_in_the_json_object_dialect() -> None:
    alternatives = {' [{"': math.log(0.9), " []": math.log(0.1)}
    endpoint = Endpoint(with_logprobs(' [{"', alternatives, usage=True))
    messages = [{"role": "user", "content": "t"}]
    weight = client(endpoint, "json_object").empty_list_weight(Cities, messages, Usage())
    assert weight == pytest.approx(0.1)
    assert endpoint.requests[0]["response_format"]["type"] == "json_object"


def test_empty_list_weight_without_logprobs_is_none() -> None:
    endpoint = Endpoint(without_logprobs())
    messages = [{"role": "user", "content": "t"}]
    assert client(endpoint).empty_list_weight(Cities, messages, Usage()) is None


def test_extract_asks_no_logprobs() -> None:
    endpoint = Endpoint(httpx2.Response(200, json=completion('{"cities": []}', 100, 5)))
    client(endpoint).extract(Cities, [{"role": "user", "content": "t"}], Usage())
    assert "logprobs" not in endpoint.requests[0]


def test_a_configured_timeout_holds_even_at_httpx_default_of_five_seconds() -> None:
    settings = Settings(base_url="http://model.test/v1", model="m", timeout=5.0)
    client = LLMClient(base_url=settings.base_url, model="m", api_key="k", settings=settings)
    assert client._raw.timeout == 5.0
