"""`hallwatch backup` / `hallwatch restore`: a consistent copy of the whole database.

SQLite uses its online backup API (safe while the app is running, WAL included); PostgreSQL
uses pg_dump's custom format and pg_restore."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from server.db import SQLITE_BUSY_SECONDS


def _sqlite_path(db_url: str) -> str | None:
    return db_url.removeprefix("sqlite:///") if db_url.startswith("sqlite:///") else None


def _copy_sqlite(source_path: str, target_path: str) -> None:
    source = sqlite3.connect(source_path, timeout=SQLITE_BUSY_SECONDS)
    target = sqlite3.connect(target_path, timeout=SQLITE_BUSY_SECONDS)
    try:
        with target:
            source.backup(target)
    finally:
        source.close()
        target.close()


def backup(db_url: str, target: Path) -> None:
    """Write a copy of the database at `db_url` to `target`."""
    if path := _sqlite_path(db_url):
        _copy_sqlite(path, str(target))
        return
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", db_url],
        check=True,
        stdin=subprocess.DEVNULL,
    )


def restore(db_url: str, source: Path) -> None:
    """Replace the database at `db_url` with the copy in `source` (stop the app first)."""
    if not source.exists():
        raise FileNotFoundError(source)
    if path := _sqlite_path(db_url):
        _copy_sqlite(str(source), path)
        return
    subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={db_url}",
            str(source),
        ],
        check=True,
        stdin=subprocess.DEVNULL,
    )
