"""Real receivers for the delivery tests: a small HTTP server on asyncio (the group robot's
stand-in, which can be taken down and brought back) and aiosmtpd's SMTP server."""

from __future__ import annotations

import asyncio
import json
from email import message_from_bytes

from aiosmtpd.controller import Controller

from tests.servers import free_port


class WebhookReceiver:
    """POSTs accepted on http://127.0.0.1:<port>/hook, each kept as (headers, JSON body).
    `down()` closes the listening socket (connection refused), `up()` opens it again on the
    same port; `failing` answers 500 instead."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[dict, dict]] = []
        self.failing = False
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def down(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def delivery_ids(self) -> list[str]:
        return [headers["x-hallwatch-delivery"] for headers, _ in self.received]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        if self.failing:
            status, answer = "500 Internal Server Error", b'{"errcode": -1}'
        else:
            self.received.append((headers, json.loads(body)))
            status, answer = "200 OK", b'{"errcode": 0, "errmsg": "ok"}'
        writer.write(
            f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(answer)}\r\nconnection: close\r\n\r\n".encode()
            + answer
        )
        await writer.drain()
        writer.close()


class _Mailbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """aiosmtpd on a free port (its own thread and loop); `messages` are (recipients,
    email.message.Message)."""

    def __init__(self) -> None:
        self.port = free_port()
        self._mailbox = _Mailbox()
        self._controller = Controller(self._mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list:
        return self._mailbox.messages

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
