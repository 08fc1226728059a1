"""What a staff member's phone keeps of their own declarations: the answers, the day, the
risks and their work status, for the offline form's quick path and the "stay home" notice.
Never the office's fatigue flags, the device or who keyed it in."""

from __future__ import annotations

from server.declarations.rules import ANSWERS
from sync.protocol import jsonable

KEPT = ("id", "person", "day", "version", "temperature", *ANSWERS, "risks", "updated_at")


def answer_row(declaration: dict, work_state: str) -> dict:
    """A stored declaration as the phone gets it back: its answers and the work status."""
    state = getattr(work_state, "value", work_state)
    return jsonable({**{k: declaration[k] for k in KEPT}, "work_state": state})


def phone_row(declaration: dict | None, work_state: str, person_id: int) -> dict:
    """What the page hands the phone to keep: the person's latest declaration (None when
    there is none) and their work status now."""
    state = getattr(work_state, "value", work_state)
    last = answer_row(declaration, state) if declaration else None
    return {"person": person_id, "work_state": state, "last": last}
