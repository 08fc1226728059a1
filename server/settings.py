"""Process configuration, read once from HALLWATCH_* environment variables."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WEB_DIR = REPO_ROOT / "web"
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
    """Read the secret at `path`, creating it on first run (exclusively, so that
    several workers starting together agree on one value)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
