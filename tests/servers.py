"""Running the real `hallwatch` command as a server process, for tests over real HTTP."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hallwatch_command() -> str:
    """The `hallwatch` script of the interpreter running the tests (the project's venv)."""
    beside = Path(sys.executable).with_name("hallwatch")
    found = str(beside) if beside.exists() else shutil.which("hallwatch")
    assert found, "the `hallwatch` command is not installed (pip install -e '.[test]')"
    return found


def wait_until_up(url: str, process: subprocess.Popen | None, log: Path) -> None:
    """Poll `url` until it answers 200; fail with the process's log if it dies or never does."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"{url}: the server exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=2, verify=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass  # not listening yet: poll again until the deadline
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer 200 within {STARTUP_SECONDS} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def serve(port: int, env: dict, log: Path) -> subprocess.Popen:
    """`hallwatch serve` on `port`, its output appended to `log`."""
    with log.open("a") as out:
        return subprocess.Popen(
            [hallwatch_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
