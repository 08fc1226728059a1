"""A visitor check made at the desk from a pre-registration
(`visitor_check.prereg.create`, fields: `prereg` the code, `temperature`): stored as any
visitor check, the visitor's answers filled in on the server. The kind ends in `.create`,
so a refused one is corrected on the phone like a hand-made entry."""

from __future__ import annotations

from server.checks.sync_appliers import _create
from server.disinfection.sync_appliers import desk_only
from server.visitors.service import record_check
from sync.ingest import Registry

KIND = "visitor_check.prereg.create"


def register(registry: Registry) -> None:
    registry.register(KIND, desk_only(_create(record_check)))
