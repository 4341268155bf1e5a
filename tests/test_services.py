"""
scripts/services.sh, which `make test` and `make loadtest` run first: a server on this machine that does not answer
is started and waited for; one that cannot be brought up fails, saying why.

Only a Redis server of its own, on a free port, is started and stopped here: the machine's PostgreSQL and Redis
serve other runs at the same time.
"""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[1]


def _services(*urls: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "scripts/services.sh", *urls], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture
def free_port():
    """Give a port nothing listens on; afterwards stop the Redis server the script started there, by its id."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield port
    pidfile = Path(f"/tmp/redis-server-{port}.pid")
    if pidfile.exists():
        os.kill(int(pidfile.read_text()), signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _listening(port) and time.monotonic() < deadline:
            time.sleep(0.05)
    Path(f"/tmp/redis-server-{port}.log").unlink(missing_ok=True)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_a_redis_server_that_does_not_answer_here_is_started(free_port):
    assert not _listening(free_port)
    result = _services(f"redis://127.0.0.1:{free_port}/1")
    assert result.returncode == 0, result.stderr
    assert f"Starting redis-server on 127.0.0.1:{free_port} (in memory only)" in result.stdout
    server = redis.Redis(port=free_port, socket_connect_timeout=2)
    assert server.ping()
    assert server.config_get("save") == {"save": ""}


def test_a_server_that_answers_is_left_alone(free_port):
    assert _services(f"redis://127.0.0.1:{free_port}/0").returncode == 0
    pid = redis.Redis(port=free_port).info("server")["process_id"]
    result = _services(f"redis://127.0.0.1:{free_port}/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert redis.Redis(port=free_port).info("server")["process_id"] == pid


def test_a_server_elsewhere_that_does_not_answer_fails_saying_so():
    result = _services("redis://:s3cret@192.0.2.1:6379/0")  # TEST-NET-1: never a host
    assert result.returncode == 1
    assert result.stderr == (
        "error: Redis does not answer on 192.0.2.1:6379, which is not this machine: start it there, "
        "or point the address at a server that answers\n"
    )


def test_only_postgresql_and_redis_can_be_brought_up():
    result = _services("memcached://127.0.0.1:11211")
    assert result.returncode == 1
    assert "cannot bring up a server for memcached:// addresses (only postgres:// and redis://)" in result.stderr
