"""Where notifications go and when the daily ones run, from HALLWATCH_* environment variables.
Read on every use (cheap), so a changed setting takes effect without a restart of the worker
and tests can set their own targets. Secrets (the SMTP password, the robot's key inside its
URL) stay out of the database and its backups."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _addresses(value: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in value.replace(";", ",").split(",") if "@" in a)


def _heads(value: str) -> dict[str, tuple[str, ...]]:
    """ "办公室=a@x.cn,b@x.cn; 档案室=c@x.cn" → department name → addresses."""
    found: dict[str, tuple[str, ...]] = {}
    for part in value.split(";"):
        name, _, addresses = part.partition("=")
        if name.strip() and addresses:
            found[name.strip()] = _addresses(addresses)
    return found


@dataclass(frozen=True)
class Targets:
    webhook_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "hallwatch@localhost"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    emails: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role → addresses
    head_emails: dict[str, tuple[str, ...]] = field(default_factory=dict)  # department name
    digest_at: str = "17:30"  # local time of the daily digest
    reminder_minutes: int = 30  # reminders this long before a deadline (declaration, zero report)

    @property
    def smtp_on(self) -> bool:
        return bool(self.smtp_host)


def targets() -> Targets:
    env = os.environ.get
    return Targets(
        webhook_url=env("HALLWATCH_WEBHOOK_URL", "").strip(),
        smtp_host=env("HALLWATCH_SMTP_HOST", "").strip(),
        smtp_port=int(env("HALLWATCH_SMTP_PORT", "25")),
        smtp_from=env("HALLWATCH_SMTP_FROM", "hallwatch@localhost"),
        smtp_user=env("HALLWATCH_SMTP_USER", ""),
        smtp_password=env("HALLWATCH_SMTP_PASSWORD", ""),
        smtp_starttls=env("HALLWATCH_SMTP_STARTTLS", "0") == "1",
        emails={
            "office": _addresses(env("HALLWATCH_NOTIFY_EMAIL_OFFICE", "")),
            "leader": _addresses(env("HALLWATCH_NOTIFY_EMAIL_LEADER", "")),
        },
        head_emails=_heads(env("HALLWATCH_NOTIFY_EMAIL_HEADS", "")),
        digest_at=env("HALLWATCH_DIGEST_AT", "17:30"),
        reminder_minutes=int(env("HALLWATCH_REMINDER_MINUTES", "30")),
    )
