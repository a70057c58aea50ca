"""Shared fixtures: the model settings for cassette tests, and the cassette rules.

Cassette tests replay recorded answers of the embedded model with the network blocked
(``--block-network --record-mode=none`` in pytest's addopts). To record them again,
from the real embedded server started by the `model_settings` fixture:

    rm -r cassettes/test_extract && pytest --record-mode=once tests/test_extract.py

Recording rewrites each request's host to ``127.0.0.1:8080`` (the server's port is
random) and drops authentication headers, so cassettes hold no key.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from summarizer import Settings
from summarizer._llm.weights import MODEL_NAME

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = ROOT / "seeds" / "belgorod_strike.txt"
REPLAY_URL = "http://127.0.0.1:8080/v1"
SECRET_HEADERS = ["authorization", "api-key", "x-api-key", "cookie", "set-cookie"]


def recording(config: pytest.Config) -> bool:
    return config.getoption("--record-mode") != "none"


def _canonical_host(request):
    parts = urlsplit(request.uri)
    request.uri = urlunsplit(parts._replace(netloc=urlsplit(REPLAY_URL).netloc))
    return request


@pytest.fixture(scope="module")
def vcr_config() -> dict:
    return {
        "filter_headers": SECRET_HEADERS,
        "match_on": ["method", "uri", "body"],
        "before_record_request": _canonical_host,
        "decode_compressed_response": True,
        # The same request gets the same answer (temperature 0, fixed seed), so a test
        # may extract the same article twice (e.g. as JSON, then as Markdown).
        "allow_playback_repeats": True,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(ROOT / "cassettes" / request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture(autouse=True)
def _cassette_must_exist_and_play(request: pytest.FixtureRequest):
    """A cassette test fails loudly when its cassette is missing or was never used."""
    if request.node.get_closest_marker("vcr") is None or recording(request.config):
        yield
        return
    cassette_dir = Path(request.getfixturevalue("vcr_cassette_dir"))
    name = request.getfixturevalue("default_cassette_name")
    name = name if name.endswith(".yaml") else name + ".yaml"
    if not (cassette_dir / name).is_file():
        pytest.fail(
            f"cassette {cassette_dir.name}/{name} is missing; record it with: "
            f"pytest --record-mode=once {request.node.nodeid}"
        )
    cassette = request.getfixturevalue("vcr")
    yield
    assert cassette.play_count > 0, f"cassette {name} was never played"


@pytest.fixture(scope="session")
def model_settings(request: pytest.FixtureRequest) -> Settings:
    """Settings for cassette tests: the canonical URL in replay, a live server to record."""
    common = {"response_format": "json_object", "transport_retries": 0, "reasks": 2}
    if not recording(request.config):
        return Settings(base_url=REPLAY_URL, model=MODEL_NAME, api_key="replay", **common)
    from summarizer._llm.local_server import LocalServer

    server = LocalServer(None, threads=2, context_size=Settings().context_size).start()
    request.addfinalizer(server.stop)
    return Settings(
        base_url=server.base_url, model=server.model_alias, api_key=server.api_key, **common
    )
