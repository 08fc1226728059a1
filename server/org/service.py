"""Queries over the organisation: the roster the desk picks staff from, the windows."""

from server import cache
from server.org.tables import Department, Person, Window


@cache.kept("person", "department")
async def roster() -> list[dict]:
    """Active staff with their department: the bureau's leaders (no department) first, then
    the attachment's department order, by name within a department. Sorted here, not by
    the database: the desk loads it on every page, and a few hundred rows sort faster in
    Python than SQLite sorts them, with the leaders first on both engines."""
    people = await Person.select(
        Person.id,
        Person.name,
        Person.title,
        Person.department.name.as_alias("department_name"),
        Person.department.position.as_alias("department_position"),
    ).where(Person.active == True)  # noqa: E712
    return sorted(
        people,
        key=lambda p: (
            -1 if p["department_position"] is None else p["department_position"],
            p["name"],
        ),
    )


async def department_of(person_id: int | None) -> int | None:
    """A member of staff's department (whose head an incident of theirs tells), None for
    a visitor or one of the bureau's leaders."""
    if person_id is None:
        return None
    row = await Person.select(Person.department).where(Person.id == person_id).first()
    return row["department"] if row else None


async def roster_by_department() -> list[tuple[str | None, list[dict]]]:
    """The roster as (department name, people) groups, in the roster's order."""
    groups: dict[str | None, list[dict]] = {}
    for person in await roster():
        groups.setdefault(person["department_name"], []).append(person)
    return list(groups.items())


@cache.kept("hall_window")
async def windows() -> list[dict]:
    return (
        await Window.select(Window.id, Window.code, Window.name)
        .where(Window.active == True)  # noqa: E712
        .order_by(Window.code)
    )


async def departments() -> list[dict]:
    return await Department.select().order_by(Department.position)
