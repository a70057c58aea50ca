"""The service against its own OpenAPI description: schemathesis generates requests from
`/openapi.json` (bounded examples, the token supplied) and checks that none gets a 5xx
and that every documented answer matches its schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from summarizer import Settings
from summarizer.schemas._registry import resolve_schema
from summarizer.service import Engine, ServiceConfig, create_app
from tests.batch_fakes import MODEL, FakeEndpoint, article

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
TOKEN = "fuzz-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SETTINGS = Settings(base_url="http://127.0.0.1:9/v1", model=MODEL, strategy="single")


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Iterator[schemathesis.BaseSchema]:
    folder = tmp_path_factory.mktemp("fuzz")
    engine = Engine(folder, resolve_schema("incident"), SETTINGS, workers=2, waiting=64,
                    llm=FakeEndpoint().client())  # fmt: skip
    engine.start()
    app = create_app(ServiceConfig(folder=folder, settings=SETTINGS, token=TOKEN), engine)
    engine.extract(engine.reader.checked(article(1), "fuzz", "a1")).result(timeout=30)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    engine.stop()


def test_no_request_the_api_describes_gets_a_server_error(api) -> None:
    # /readyz answers 503 by design while the model is unreachable (here: no endpoint).
    operations = [r.ok() for r in api.get_all_operations() if r.ok().path != "/readyz"]
    assert len(operations) >= 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def answers_well(case) -> None:
            case.call_and_validate(
                headers=AUTH, checks=[not_a_server_error, response_schema_conformance]
            )

        answers_well()
