"""POST /sync/push and GET /sync/pull: the phones' outbox meets the server here.

A phone authenticates with its device token (`Authorization: Device <token>`), so its queue
drains even after the person's login expired; a browser without a token uses its login
session and must send `X-Hallwatch-Sync: 1` (a header a cross-site form cannot send)."""

from __future__ import annotations

import hashlib
import json

import msgspec
from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromQuery
from litestar.response import Response

from server import clock
from server.accounts.service import session_user
from server.checks import service as checks
from server.checks import sync_appliers as check_kinds
from server.declarations import sync_appliers as declaration_kinds
from server.devices.service import device_for_token, note_phone
from server.disinfection import service as disinfection
from server.disinfection import sync_appliers as disinfection_kinds
from server.i18n import N_, request_locale, translate
from server.org.service import roster, windows
from server.policy.service import load_policy
from server.privacy import masked_row
from server.visitors import service as prereg
from server.visitors import sync_appliers as prereg_kinds
from sync import feed
from sync.db import write_transaction
from sync.ingest import Origin, Registry, ingest
from sync.protocol import (
    MAX_BODY_BYTES,
    MAX_MUTATIONS,
    BadMutation,
    encode_json,
    jsonable,
    parse_mutation,
)

REGISTRY = Registry()
check_kinds.register(REGISTRY)
declaration_kinds.register(REGISTRY)
disinfection_kinds.register(REGISTRY)
prereg_kinds.register(REGISTRY)

READERS = {"visitor_check": checks.visitor_check, "staff_check": checks.staff_check}


async def _round(round_id) -> dict | None:
    row = await disinfection.round_row(round_id)
    return disinfection.phone_round(row) if row else None


# Shared records every desk holds (noted in the feed for device ""), already in the form a
# phone keeps. Pre-registrations name visitors: only the desk and the office get them.
SHARED_READERS = {"disinfection_round": _round, prereg.ENTITY: prereg.phone_row_by_id}
SHARED_ROLES = {"disinfection_round": None, prereg.ENTITY: {"desk", "office", "leader"}}


def _may_hold(entity: str, origin: Origin) -> bool:
    roles = SHARED_ROLES[entity]
    return roles is None or origin.role in roles


# What a phone is told when it may not sync, by error code (answered with 401).
UNAUTHORISED = {
    "login_required": N_("Log in again (or enrol this phone again)."),
    "device_not_enrolled": N_("Log in again (or enrol this phone again)."),
    "device_revoked": N_(
        "The administrator revoked this phone's enrolment: enrol it again to send its entries."
        " Until then the unsent entries stay on this phone; you can save them to a file."
    ),
}


def _refusal(request: Request, status: int, error: str, message: str, **extra) -> Response:
    detail = translate(request_locale(request), message, extra or None)
    return Response({"error": error, "detail": detail, **extra}, status_code=status)


async def _origin(request: Request) -> Origin | str:
    """Who is syncing, or the error code to answer with 401."""
    header = request.headers.get("authorization", "")
    if header.startswith("Device "):
        device = await device_for_token(header.removeprefix("Device ").strip())
        if device is None:
            return "device_not_enrolled"
        if device["revoked_at"] is not None:
            return "device_revoked"
        note_phone(request, device["token_hash"])
        return Origin(device=device["id"], user_id=None, username=device["id"], role="desk")
    user = await session_user(request.session) if "session" in request.scope else None
    if user is None or request.headers.get("x-hallwatch-sync") != "1":
        return "login_required"
    return Origin(device="", user_id=user.id, username=user.username, role=user.role)


def parse_batch(raw: list) -> tuple[list, list]:
    """Each raw entry parsed (or the BadMutation it raised), and its raw id."""
    batch, ids = [], []
    for entry in raw:
        ids.append(entry.get("id") if isinstance(entry, dict) else None)
        try:
            batch.append(parse_mutation(entry))
        except BadMutation as bad:
            batch.append(bad)
    return batch, ids


async def ingest_raw(raw: list, origin: Origin, locale: str) -> list:
    """Parse and ingest raw mutations, answers translated for `locale`."""
    batch, ids = parse_batch(raw)
    return await ingest(
        batch,
        ids,
        origin,
        REGISTRY,
        lambda message, params: translate(locale, message, params or None),
        clock.now(),
    )


async def _reference() -> dict:
    """What a phone needs to work offline besides its own entries: the roster, the windows,
    the policy (fever threshold, valid range)."""
    data = {
        "roster": [{k: p[k] for k in ("id", "name", "department_name")} for p in await roster()],
        "windows": await windows(),
        "policy": (await load_policy()).as_dict(),
        "disinfection_points": jsonable(await disinfection.active_points()),
    }
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return {**data, "hash": digest[:16]}


async def _shared_snapshot(origin: Origin) -> list[dict]:
    """Today's disinfection rounds and the pre-registrations still open, for a first pull
    or after a reset."""
    now = clock.now()
    rounds = [
        {"entity": "disinfection_round", "row": disinfection.phone_round(r)}
        for r in await disinfection.rounds_on(clock.today())
    ]
    if not _may_hold(prereg.ENTITY, origin):
        return rounds
    return rounds + [
        {"entity": prereg.ENTITY, "row": prereg.phone_row(r)} for r in await prereg.current(now)
    ]


def _nothing_to_pull() -> dict:
    """The pull of a browser that holds no hall records: a staff member's phone pushes its
    own declarations and must not receive the desk's visitors or the roster."""
    return {
        "server_time": clock.now().isoformat(),
        "cursor": "",
        "reset": False,
        "entries": [],
        "tombstones": [],
        "device": "",
    }


class SyncController(Controller):
    path = "/sync"
    opt = {"exclude_from_auth": True, "exclude_from_csrf": True}

    @post("/push", request_max_body_size=MAX_BODY_BYTES, status_code=200)
    async def push(self, request: Request) -> Response:
        # One write transaction for the whole push: the device's sighting, the replay check
        # and the batch commit together, on one connection (one fsync, not three).
        async with write_transaction():
            origin = await _origin(request)
            if isinstance(origin, str):
                return _refusal(request, 401, origin, UNAUTHORISED[origin])
            try:
                body = msgspec.json.decode(await request.body())
            except msgspec.DecodeError:
                body = None
            raw = body.get("mutations") if isinstance(body, dict) else None
            if not isinstance(raw, list):
                message = N_("Send a JSON object with a list of mutations.")
                return _refusal(request, 400, "bad_batch", message)
            if len(raw) > MAX_MUTATIONS:
                return _refusal(
                    request,
                    413,
                    "batch_too_large",
                    N_("Send at most %(limit)s entries at once."),
                    limit=MAX_MUTATIONS,
                )
            results = await ingest_raw(raw, origin, request_locale(request))
        # Each answer is already JSON (the ledger stored the same bytes): joined, not
        # encoded again.
        head = encode_json({"server_time": clock.now().isoformat()})[:-1]
        body = head + b',"results":[' + b",".join(r.encoded() for r in results) + b"]}"
        return Response(body, media_type=MediaType.JSON)

    @get("/pull")
    async def pull(
        self, request: Request, cursor: FromQuery[str] = "", reference: FromQuery[str] = ""
    ) -> Response:
        origin = await _origin(request)
        if isinstance(origin, str):
            return _refusal(request, 401, origin, UNAUTHORISED[origin])
        if origin.role != "desk":
            return Response(_nothing_to_pull(), headers={"Cache-Control": "no-store"})
        position = feed.parse_cursor(cursor)
        expired = position is not None and await feed.is_expired(position)
        if position is None or expired:
            next_cursor = await feed.current_cursor()
            entries = await self._snapshot(origin.device) + await _shared_snapshot(origin)
            tombstones: list[dict] = []
        else:
            page = await feed.changes_since(position, origin.device)
            next_cursor, entries, tombstones = page.cursor, [], []
            for change in page.changes:
                if change["op"] == "delete":
                    tombstones.append({"entity": change["entity"], "id": change["entity_id"]})
                elif (reader := READERS.get(change["entity"])) and (
                    row := await reader(change["entity_id"])
                ):
                    entries.append({"entity": change["entity"], "row": masked_row(row)})
                elif (
                    (reader := SHARED_READERS.get(change["entity"]))
                    and _may_hold(change["entity"], origin)
                    and (row := await reader(change["entity_id"]))
                ):
                    entries.append({"entity": change["entity"], "row": row})
        answer = {
            "server_time": clock.now().isoformat(),
            "cursor": next_cursor,
            "reset": expired,
            "entries": entries,
            "tombstones": tombstones,
            "device": origin.device,
        }
        shared = await _reference()
        if shared["hash"] != reference:
            answer["reference"] = shared
        return Response(answer, headers={"Cache-Control": "no-store"})

    async def _snapshot(self, device: str) -> list[dict]:
        """Today's entries of this device, for a first pull or after a reset."""
        if not device:
            return []
        rows = await checks.device_today(device, clock.today())
        return [{"entity": kind, "row": masked_row(row)} for kind, row in rows]
