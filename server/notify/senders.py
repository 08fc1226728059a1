"""Sending one outbox row: a group-robot webhook (WeCom's text message) or an e-mail over
SMTP. Each raises DeliveryFailed (or a network error) unless the receiver accepted it."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime

import httpx

from server import clock
from server.notify.config import Targets
from server.notify.tables import Channel

TIMEOUT_SECONDS = 10
DELIVERY_HEADER = "X-Hallwatch-Delivery"


class DeliveryFailed(Exception):
    pass


def webhook_payload(row: dict) -> dict:
    """WeCom's group robot text message (企业微信群机器人)."""
    return {"msgtype": "text", "text": {"content": f"【{row['subject']}】\n{row['body']}"}}


async def send_webhook(row: dict) -> None:
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
        response = await client.post(
            row["recipient"],
            json=webhook_payload(row),
            headers={DELIVERY_HEADER: str(row["id"])},
        )
    if response.status_code >= 300:
        raise DeliveryFailed(f"HTTP {response.status_code}")
    # The robot answers 200 with {"errcode": 93000, ...} when it refuses a message.
    if "json" in response.headers.get("content-type", ""):
        errcode = response.json().get("errcode", 0)
        if errcode:
            raise DeliveryFailed(f"errcode {errcode}: {response.json().get('errmsg', '')}")


def email_message(row: dict, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row["recipient"]
    message["Subject"] = row["subject"]
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = f"<{row['id']}@hallwatch>"
    message[DELIVERY_HEADER] = str(row["id"])
    message.set_content(row["body"])
    return message


def _smtp_send(message: EmailMessage, targets: Targets) -> None:
    with smtplib.SMTP(targets.smtp_host, targets.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        if targets.smtp_starttls:
            smtp.starttls()
        if targets.smtp_user:
            smtp.login(targets.smtp_user, targets.smtp_password)
        smtp.send_message(message)


async def send_email(row: dict, targets: Targets) -> None:
    if not targets.smtp_on:
        raise DeliveryFailed("SMTP is not configured (HALLWATCH_SMTP_HOST)")
    # smtplib blocks: off the event loop.
    await asyncio.to_thread(_smtp_send, email_message(row, targets.smtp_from), targets)


async def send(row: dict, targets: Targets) -> None:
    if row["channel"] == Channel.webhook:
        await send_webhook(row)
    else:
        await send_email(row, targets)
