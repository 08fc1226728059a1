"""Declarations as sync mutations, so the phone's outbox can carry a declaration filled in
offline: kind `declaration.submit`, entity_id the declaration's id made on the phone, fields
the answers, captured_at when it was filled in (which decides its day).

The mutation's own id is the submission's id, so a replay stores nothing twice; a second
declaration the same day amends the first. The answer's row carries the person's work status,
so the phone can show "stay home, await notice" as soon as the entry is synced."""

from __future__ import annotations

from server import clock
from server.accounts.tables import UserAccount
from server.audit.service import Actor
from server.checks.rules import Invalid
from server.declarations import service
from server.declarations.phone import answer_row
from server.declarations.service import WrongDay
from server.i18n import N_
from server.policy.service import load_policy
from sync.ingest import Origin, Registry, Rejected
from sync.protocol import Mutation, Result, Status, clock_flag


async def _declarer(origin: Origin) -> tuple[int, Actor]:
    """The person declaring: the logged-in account's own person. A desk phone's device
    token declares for nobody."""
    row = None
    if origin.user_id is not None:
        row = (
            await UserAccount.select(UserAccount.person)
            .where(UserAccount.id == origin.user_id)
            .first()
        )
    if row is None or row["person"] is None:
        raise Rejected(N_("Declarations are sent from the person's own login."))
    actor = Actor(username=origin.username, user_id=origin.user_id, device=origin.device)
    return row["person"], actor


async def submit(mutation: Mutation, origin: Origin) -> Result:
    person_id, actor = await _declarer(origin)
    # The capture time decides the day declared for; a phone clock ahead of the server's
    # must not declare for tomorrow, and a month-old entry is no declaration for today.
    flag = clock_flag(mutation.captured_at, clock.now()) or ""
    if flag == "past":
        raise Rejected(N_("This declaration was filled in too long ago."))
    filled_in = clock.now() if flag == "future" else mutation.captured_at
    try:
        submitted = await service.submit_declaration(
            person_id,
            mutation.fields,
            actor,
            await load_policy(),
            submission_id=mutation.id,
            declaration_id=mutation.entity_id,
            now=filled_in,
            clock_flag=flag,
        )
    except Invalid as bad:
        raise Rejected(
            N_("Please correct the marked fields."),
            {p.field: (p.message, p.params) for p in bad.problems},
        ) from None
    except WrongDay:
        raise Rejected(N_("This declaration id belongs to another day.")) from None
    row = answer_row(submitted.declaration, submitted.state)
    return Result(
        id=str(mutation.id),
        status=Status.applied if submitted.created else Status.duplicate,
        version=submitted.declaration["version"],
        row=row,
    )


def register(registry: Registry) -> None:
    registry.register("declaration.submit", submit)
