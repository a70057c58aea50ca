"""The ``serve`` command, registered on the main app by `summarizer.cli`.

It runs `summarizer.service` with uvicorn over the store in ``DIR`` (the one ``batch``
writes), with the same model options as every command. It binds 127.0.0.1 unless told
otherwise and prints the service token once, when it makes it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
import uvicorn

from summarizer._errors import InputError
from summarizer._secrets import shown_url
from summarizer.cli._options import (
    DebugOption,
    PromptOption,
    SchemaOption,
    SettingsOptions,
    WorkersOption,
    reported,
    with_settings_options,
)
from summarizer.schemas._registry import resolve_schema
from summarizer.service import (
    SECRET_FILE,
    TOKEN_VARIABLE,
    Deliveries,
    Engine,
    ServiceConfig,
    create_app,
    service_token,
    webhook_secret,
)

DEFAULT_FOLDER = Path("summarizer-data")
LOOPBACK = "127.0.0.1"


@with_settings_options
def serve(
    folder: Annotated[
        Path, typer.Argument(help="Folder of the store (created if needed), as batch --out.")
    ] = DEFAULT_FOLDER,
    host: Annotated[
        str, typer.Option(help="Address to bind; another than 127.0.0.1 opens it to others.")
    ] = LOOPBACK,
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    workers: WorkersOption = None,
    waiting: Annotated[
        int,
        typer.Option(
            min=1, help="Extract requests taken at once, in flight or waiting (then 503)."
        ),
    ] = 16,
    max_body: Annotated[
        int, typer.Option(min=1, help="Largest request body, in bytes (then 413).")
    ] = 2_000_000,
    request_timeout: Annotated[
        float, typer.Option(min=1, help="Seconds /v1/extract waits for a result (then 504).")
    ] = 900.0,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(help="A browser origin allowed to call the API (repeat it); none by default."),
    ] = None,
    webhook: Annotated[
        str | None,
        typer.Option(help="A URL for signed job.finished, article.failed, record.reviewed."),
    ] = None,
    schema: SchemaOption = "incident",
    prompt: PromptOption = None,
    debug: DebugOption = False,
    *,
    options: SettingsOptions,
) -> None:
    """Serve extraction over HTTP (API under /v1, OpenAPI at /openapi.json)."""
    with reported(debug):
        if folder.exists() and not folder.is_dir():
            raise InputError(f"{folder}: is not a folder; serve takes the store's folder")
        settings = options.load()
        chosen = resolve_schema(schema, str(prompt) if prompt else None)
        token, made = service_token(folder)
        config = ServiceConfig(
            folder=folder, settings=settings, token=token, schema=chosen.name, workers=workers,
            waiting=waiting, max_body_bytes=max_body, request_timeout=request_timeout,
            cors_origins=tuple(cors_origin or ()),
        )  # fmt: skip
        deliveries = _deliveries(folder, webhook) if webhook else None
        engine = Engine(
            folder, chosen, settings, workers=workers, waiting=waiting, deliveries=deliveries
        )
        engine.start()  # before serving: a held lock or a bad model fails here, in one line
        if made:
            typer.echo(
                f"summarizer: service token (kept in {folder}/service.token): {token}", err=True
            )
        elif token and not _from_environment():
            typer.echo(f"summarizer: service token in {folder}/service.token", err=True)
        if host != LOOPBACK:
            typer.echo(f"summarizer: listening on {host}, not only this machine", err=True)
        # One line per request from the service's own log (`RequestLog`), not uvicorn's.
        _log_requests()
        app = create_app(config, engine)
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


def _from_environment() -> bool:
    return bool(os.environ.get(TOKEN_VARIABLE, "").strip())


def _deliveries(folder: Path, url: str) -> Deliveries:
    """Webhook deliveries to `url`, signed with the folder's secret (printed once, when made)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise InputError(f"--webhook {shown_url(url)}: give an http or https URL")
    secret, made = webhook_secret(folder)
    if made:
        typer.echo(
            f"summarizer: webhook signing secret (kept in {folder}/{SECRET_FILE}): {secret}",
            err=True,
        )
    return Deliveries(url, secret)


def _log_requests() -> None:
    """The service's own lines on stderr, and no other library's at INFO: an HTTP client's
    request lines would carry a webhook URL's credentials and query."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
    service_log = logging.getLogger("summarizer.service")
    service_log.addHandler(handler)
    service_log.setLevel(logging.INFO)
