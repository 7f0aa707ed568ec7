"""A throwaway PostgreSQL server for the tests and benchmarks: Debian's own binaries, a
temporary data directory and a private unix socket (no TCP port to collide on).

PostgreSQL refuses to run as root (CI runs as root), so there the server runs as the
`postgres` user (made by Debian's package) or `nobody`, owning its temporary folder.
Readiness is `pg_ctl start -w` (it waits until the server accepts connections), never a sleep.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

MISSING = (
    "PostgreSQL's pg_ctl was not found (in PATH or /usr/lib/postgresql/*/bin); install "
    "Debian's postgresql package (.ci/run does) to run the PostgreSQL tests"
)
USER = "clinic"


def find_bin() -> Path | None:
    """The folder of pg_ctl, initdb and postgres, newest version first, or None."""
    found = shutil.which("pg_ctl")
    if found:
        folder = Path(found).resolve().parent
        if (folder / "initdb").exists():
            return folder

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path))

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=version)
    return Path(candidates[-1]).parent if candidates else None


def _run_as() -> tuple[list[str], str | None]:
    """The command prefix (and user) to run the server unprivileged when we are root."""
    if os.geteuid() != 0:
        return [], None
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["runuser", "-u", user, "--"], user
    raise RuntimeError("running as root, and there is no 'postgres' or 'nobody' user to run as")


class TempPostgres:
    """One server for a test session (or a benchmark); `database()` makes a fresh database."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="ccpg-"))  # short: a socket path is <108
        self.data = self.folder / "data"
        self.prefix, user = _run_as()
        if user is not None:
            shutil.chown(self.folder, user)
        self.folder.chmod(0o700)
        self.started = False
        self.count = 0

    @property
    def admin_url(self) -> str:
        return f"postgresql://{USER}@/postgres?host={self.folder}"

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@/{database}?host={self.folder}"

    def _pg(self, *command: str) -> None:
        done = subprocess.run(
            [*self.prefix, *command], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed: {done.stderr or done.stdout}\n{tail}")

    def start(self) -> TempPostgres:
        self._pg(str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, "-A", "trust",
                 "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        options = (
            f"-k {self.folder} -c listen_addresses='' -p 5432 -F -c max_connections=300 "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        log = str(self.folder / "server.log")
        self._pg(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", log, "-o", options,
                 "-w", "-t", "60", "start")  # fmt: skip
        self.started = True
        return self

    def database(self) -> str:
        """A new empty database; its address."""
        self.count += 1
        name = f"ws{os.getpid()}_{self.count}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.split("/")[3].split("?")[0]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def stop(self) -> None:
        if self.started:
            self._pg(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                     "stop")  # fmt: skip
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)
