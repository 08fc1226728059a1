"""Queries over the organisation: the roster the desk picks staff from, the windows."""

from server.org.tables import Department, Person, Window


async def roster() -> list[dict]:
    """Active staff with their department, in the attachment's department order."""
    return (
        await Person.select(
            Person.id,
            Person.name,
            Person.title,
            Person.department.name.as_alias("department_name"),
            Person.department.position.as_alias("department_position"),
        )
        .where(Person.active == True)  # noqa: E712
        .order_by(Person.department.position)
        .order_by(Person.name)
    )


async def windows() -> list[dict]:
    return (
        await Window.select(Window.id, Window.code, Window.name)
        .where(Window.active == True)  # noqa: E712
        .order_by(Window.code)
    )


async def departments() -> list[dict]:
    return await Department.select().order_by(Department.position)
