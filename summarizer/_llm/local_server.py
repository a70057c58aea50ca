"""The embedded model: a llama.cpp server that the program starts, reuses and stops.

`LocalServer` runs ``python -m llama_cpp.server`` as a child process bound to
127.0.0.1 on a free port, protected by a random API key, and waits until it answers.
`shared_server()` gives one per process, started on first use and stopped at exit;
on Linux the child also gets SIGKILL if this process dies without cleaning up, so no
server is left orphaned.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2

from summarizer._errors import SetupError
from summarizer._llm.weights import INSTALL_HINT, MODEL_NAME, ensure_model
from summarizer._settings import Settings

STARTUP_TIMEOUT = 180.0
# A prompt read in one batch of 64 tokens or so, as an article is: the matrix kernels of
# a batch are where a wheel built for another processor stops on an illegal instruction.
_PROBE = "ok " * 64
# A wheel built with the default -march=native runs only on processors like the builder's,
# and pip reuses a cached wheel on another machine (seen here: SIGILL at the first token).
REBUILD_HINT = (
    'CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install --force-reinstall --no-cache-dir --no-deps '
    "llama-cpp-python"
)
_STOP_GRACE = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to SIGKILL it when the parent dies. Not
    SIGTERM: the server would first finish the request in flight, minutes of a core's
    time for an answer no one will read (seen with a killed benchmark)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


class LocalServer:
    """One llama.cpp server process; a context manager (`with LocalServer(...) as s:`)."""

    def __init__(
        self,
        model_file: Path | None,
        *,
        threads: int,
        context_size: int,
        log_probabilities: bool = False,
    ) -> None:
        self.model_file = model_file
        self.threads = threads
        self.context_size = context_size
        self.log_probabilities = log_probabilities
        self.api_key = secrets.token_hex(24)  # never starts with "-", which argparse rejects
        self.port = 0
        self.model_alias = MODEL_NAME if model_file is None else model_file.stem
        self._process: subprocess.Popen[bytes] | None = None
        # Kept open for the server's lifetime; its tail explains a failed start.
        self._log = tempfile.NamedTemporaryFile(prefix="summarizer-llama-", suffix=".log")  # noqa: SIM115

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> LocalServer:
        if importlib.util.find_spec("llama_cpp") is None:
            raise SetupError(f"the embedded model needs llama-cpp-python; run: {INSTALL_HINT}")
        model_file = self.model_file or ensure_model()
        if not model_file.is_file():
            raise SetupError(f"model file not found: {model_file}")
        self.port = _free_port()
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(model_file),
            "--model_alias", self.model_alias,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--api_key", self.api_key,
            "--n_ctx", str(self.context_size),
            "--n_threads", str(self.threads),
            "--n_threads_batch", str(self.threads),
            # Log-probabilities (Schema.abstain_above) need every token's logits kept, which
            # costs about 13% of prompt time and 1-2 GB: only servers that need them do.
            "--logits_all", "true" if self.log_probabilities else "false",
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        """Wait until the server lists its model, then have it read a prompt of some length
        and compute one token: a llama.cpp built for another CPU loads fine and dies at its
        first computation, and with a two-character prompt it survived that computation
        here, dying on the first article instead (`_PROBE`)."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        headers = {"Authorization": f"Bearer {self.api_key}"}
        while time.monotonic() < deadline:
            self._raise_if_exited()
            with contextlib.suppress(httpx2.TransportError):
                if httpx2.get(f"{self.base_url}/models", headers=headers, timeout=2).is_success:
                    break
            time.sleep(0.25)
        else:
            raise SetupError(
                f"the embedded model server did not answer within {STARTUP_TIMEOUT:.0f} s"
            )
        with contextlib.suppress(httpx2.TransportError):
            httpx2.post(
                f"{self.base_url}/completions",
                headers=headers,
                json={"prompt": _PROBE, "max_tokens": 1},
                timeout=max(deadline - time.monotonic(), 10.0),
            )
        assert self._process is not None
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(0.5)  # a crash is seen by the client before the parent
        self._raise_if_exited()

    def _raise_if_exited(self) -> None:
        assert self._process is not None
        code = self._process.poll()
        if code is None:
            return
        if code == -signal.SIGILL:
            raise SetupError(
                "the embedded model server stopped on an illegal instruction: llama-cpp-python "
                f"was built for another processor; rebuild it: {REBUILD_HINT}"
            )
        raise SetupError(f"the embedded model server exited with code {code}: {self._log_tail()}")

    def _log_tail(self, lines: int = 3) -> str:
        text = Path(self._log.name).read_text(errors="replace").strip().splitlines()
        return " | ".join(text[-lines:]) or "(no output)"

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after a grace period)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(_STOP_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


_shared: LocalServer | None = None
_shared_lock = threading.Lock()


def shared_server(settings: Settings, *, log_probabilities: bool = False) -> LocalServer:
    """The process's embedded server, started on first call and stopped at exit.

    One without log-probabilities is replaced by one with them when they are asked for."""
    global _shared
    with _shared_lock:
        lacking = _shared is not None and log_probabilities and not _shared.log_probabilities
        if lacking:
            _shared.stop()
        if _shared is None or _shared.pid is None:
            server = LocalServer(
                settings.model_file,
                threads=settings.embedded_threads,
                context_size=settings.context_size,
                log_probabilities=log_probabilities,
            ).start()
            atexit.register(server.stop)
            _shared = server
        return _shared
