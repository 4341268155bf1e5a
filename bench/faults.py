"""
What the load test breaks on purpose, and owns so that breaking it harms nothing else: a PostgreSQL server of its
own (started from the machine's PostgreSQL binaries in a temporary folder, on a free loopback port), an evidence
store of its own on a small tmpfs (so that it can be filled), and the gunicorn workers it kills.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from bench.local import free_port


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run `command` as the postgres user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


class PrivatePostgres:
    """A PostgreSQL server in a temporary folder, on a free port of 127.0.0.1, trusting local connections."""

    def __init__(self):
        try:
            bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            raise RuntimeError(
                f"PostgreSQL's binaries are not installed (pg_config: {exc}); run `make services`"
            ) from None
        self.bin = Path(bindir.strip())
        self.folder = Path(tempfile.mkdtemp(prefix="tracker-loadtest-postgres-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = free_port()
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            os.chown(self.folder, postgres.pw_uid, postgres.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str) -> None:
        command = _as_postgres([str(self.bin / program), *args])
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: "fast" rolls back every transaction in flight and closes every connection."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def remove(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


class EvidenceStore:
    """The hosts' evidence store (their MEDIA_ROOT) on a tmpfs of its own, which can be filled or made unwritable."""

    SIZE = "64m"

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="tracker-loadtest-media-"))
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.SIZE}", "tmpfs", str(self.root)])
        if result.returncode != 0:
            shutil.rmtree(self.root, ignore_errors=True)
            raise RuntimeError(
                "cannot mount a tmpfs for the evidence store, which the load test fills to see it refused: run it as "
                "root, or leave the evidence faults out with LOADTEST_FAULTS=worker,database"
            )
        (self.root / "evidence").mkdir()
        self._filler = self.root / "filler"

    def fill(self) -> int:
        """Fill the store until the disk says it is full; return the bytes written."""
        written = 0
        with self._filler.open("wb") as filler:
            chunk = b"\0" * (1 << 20)
            while True:
                try:
                    filler.write(chunk)
                    filler.flush()
                    written += len(chunk)
                except OSError:
                    break
        return written

    def empty(self) -> None:
        self._filler.unlink(missing_ok=True)

    def make_unwritable(self) -> None:
        """Put a file where the evidence folder was (as root too, nothing can be written under a file)."""
        (self.root / "evidence").rename(self.root / "evidence.away")
        (self.root / "evidence").write_bytes(b"not a folder")

    def make_writable(self) -> None:
        (self.root / "evidence").unlink()
        (self.root / "evidence.away").rename(self.root / "evidence")

    def remove(self) -> None:
        subprocess.run(["umount", str(self.root)], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


def workers_of(master_pid: int) -> list[int]:
    """Return the process ids of a gunicorn master's workers."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return []
    return sorted(int(pid) for pid in children)


def kill_a_worker(master_pid: int) -> int | None:
    """Kill one of the master's workers at once (SIGKILL, as the kernel's out-of-memory killer does); return its pid."""
    workers = workers_of(master_pid)
    if not workers:
        return None
    os.kill(workers[0], signal.SIGKILL)
    return workers[0]


def wait_for_replacement(master_pid: int, killed: int, count: int, timeout: float = 30) -> float:
    """Wait until the master runs `count` workers again, none of them `killed`; return the seconds it took."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        workers = workers_of(master_pid)
        if len(workers) >= count and killed not in workers:
            return time.monotonic() - began
        time.sleep(0.05)
    raise RuntimeError(f"gunicorn did not replace its killed worker within {timeout} s")
