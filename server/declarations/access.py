"""Who may see whom: staff see themselves, a department head their department, the office
and leaders everyone (SPEC "Who uses it")."""

from __future__ import annotations

from litestar.exceptions import NotFoundException, PermissionDeniedException

from server.org.tables import Person


async def person_row(person_id: int) -> dict | None:
    """An active person with their department's id and name."""
    return (
        await Person.select(
            Person.id,
            Person.name,
            Person.title,
            Person.department,
            Person.department.name.as_alias("department_name"),
        )
        .where((Person.id == person_id) & (Person.active == True))  # noqa: E712
        .first()
    )


def may_see(user, person: dict) -> bool:
    if user.role in ("office", "leader"):
        return True
    if user.role == "head":
        return user.department_id is not None and person["department"] == user.department_id
    return user.person_id == person["id"]


async def person_for(user, person_id: int) -> dict:
    """The person, if this account may see them: 404 for nobody, 403 for someone else's."""
    person = await person_row(person_id)
    if person is None:
        raise NotFoundException()
    if not may_see(user, person):
        raise PermissionDeniedException("outside your department")
    return person
