"""/office/import: entries a desk phone could not send, saved to a file on the phone and
brought to the office, go through the same ingest as a push. Importing a file twice stores
nothing twice."""

from __future__ import annotations

import json
from collections import Counter

from litestar import Controller, Request, get, post

from server.accounts.guards import OFFICE
from server.audit import service as audit
from server.devices.sync_routes import ingest_raw
from server.i18n import N_, request_locale, translate
from server.web import render
from sync.ingest import Origin
from sync.protocol import MAX_MUTATIONS

FORMAT = "hallwatch-outbox"


def read_outbox(data: bytes) -> tuple[str, list] | str:
    """(device, raw mutations) from an exported outbox file, or the msgid of what is wrong."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return N_("This is not a Hallwatch outbox file.")
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return N_("This is not a Hallwatch outbox file.")
    mutations = document.get("mutations")
    if not isinstance(mutations, list):
        return N_("This is not a Hallwatch outbox file.")
    if len(mutations) > MAX_MUTATIONS:
        return N_("The file holds too many entries; export it again in parts.")
    return str(document.get("device") or ""), mutations


class OutboxImportController(Controller):
    path = "/office/import"
    guards = [OFFICE]

    @get("/")
    async def page(self, request: Request) -> object:
        return render(request, "office/import.html", results=None, error=None)

    @post("/", status_code=200)
    async def upload(self, request: Request) -> object:
        form = await request.form()
        upload = form.get("file")
        data = await upload.read() if hasattr(upload, "read") else b""
        locale = request_locale(request)
        outbox = read_outbox(data)
        if isinstance(outbox, str):
            return render(
                request, "office/import.html", 422, results=None, error=translate(locale, outbox)
            )
        device, raw = outbox
        user = request.user
        # The entries were made at the desk: they merge as a desk's changes would.
        origin = Origin(device=device, user_id=user.id, username=user.username, role="desk")
        results = await ingest_raw(raw, origin, locale)
        counts = Counter(r.status.value for r in results)
        await audit.record(user.actor, "import", "outbox", device or "browser", None, dict(counts))
        return render(
            request, "office/import.html", results=results, counts=counts, device=device, error=None
        )
