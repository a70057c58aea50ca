"""`summarizer serve`: the HTTP service over a batch store, for editorial systems.

`create_app` builds the FastAPI app for a `ServiceConfig` and an `Engine` (the one
writer of the store); `summarizer serve DIR` runs it with uvicorn. The API is under
``/v1`` (docs/service.md), its OpenAPI description at ``/openapi.json``.

>>> from summarizer.service import Engine, ServiceConfig, create_app
"""

from summarizer.service._app import ServiceConfig, create_app
from summarizer.service._engine import Busy, Engine
from summarizer.service._security import TOKEN_FILE, TOKEN_VARIABLE, service_token
from summarizer.service._webhooks import SECRET_FILE, SECRET_VARIABLE, Deliveries, webhook_secret

__all__ = [
    "SECRET_FILE",
    "SECRET_VARIABLE",
    "TOKEN_FILE",
    "TOKEN_VARIABLE",
    "Busy",
    "Deliveries",
    "Engine",
    "ServiceConfig",
    "create_app",
    "service_token",
    "webhook_secret",
]
