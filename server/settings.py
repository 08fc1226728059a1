"""Process configuration, read once from HALLWATCH_* environment variables."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# The pages, static files and service worker served; another directory serves a changed
# build of them (its phones install the new app shell).
WEB_DIR = Path(os.environ.get("HALLWATCH_WEB_DIR") or REPO_ROOT / "web")
DEFAULT_DB = "sqlite:///hallwatch.db"


@dataclass(frozen=True)
class Settings:
    db_url: str
    secret: str
    timezone: str
    secure_cookies: bool
    session_hours: int

    @classmethod
    def from_env(cls) -> Settings:
        db_url = os.environ.get("HALLWATCH_DB", DEFAULT_DB)
        return cls(
            db_url=db_url,
            secret=os.environ.get("HALLWATCH_SECRET") or stored_secret(secret_path(db_url)),
            timezone=os.environ.get("HALLWATCH_TZ", "Asia/Shanghai"),
            secure_cookies=os.environ.get("HALLWATCH_SECURE_COOKIES", "0") == "1",
            session_hours=int(os.environ.get("HALLWATCH_SESSION_HOURS", "12")),
        )


def secret_path(db_url: str) -> Path:
    """Where the generated secret lives: HALLWATCH_SECRET_FILE, or beside a SQLite database."""
    if explicit := os.environ.get("HALLWATCH_SECRET_FILE"):
        return Path(explicit)
    if db_url.startswith("sqlite:///"):
        return Path(db_url.removeprefix("sqlite:///") + ".secret")
    return Path("hallwatch.secret")


def stored_secret(path: Path) -> str:
    """Read the secret at `path`, creating it on first run. Several workers starting
    together agree on one value: the secret is written to a file of this process's own and
    linked into place only when whole, so no one reads a half-written (empty) secret, and
    the first link wins."""
    if not path.exists():
        _publish(path, secrets.token_urlsafe(48))
    secret = path.read_text().strip()
    if not secret:
        raise RuntimeError(f"{path} is empty: delete it to generate a new secret")
    return secret


def _publish(path: Path, secret: str) -> None:
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secret)
        os.link(draft, path)  # fails when another process was first: theirs is kept
    except FileExistsError:
        pass
    finally:
        draft.unlink()
