"""The per-process cache of reference data (server/cache): an answer is kept until a write to
its tables, by this process or any other, stamps them anew; a request reads the stamps once,
again after it writes; nothing is kept from inside a transaction."""

import asyncio
import inspect
import re
import sqlite3

import asyncpg
import pytest
from piccolo.apps.migrations.commands.backwards import run_backwards

from server import cache
from server.cache.tables import DataGeneration
from server.db import engine, write_transaction
from server.migrations import migrate
from server.policy.service import load_policy, store_setting
from server.policy.tables import Setting
from tests.support import reset_database

pytestmark = pytest.mark.usefixtures("fresh_db")


@pytest.fixture(autouse=True)
async def empty():
    await reset_database()


class Loads:
    """A loader of the settings' keys that counts how often it really ran."""

    def __init__(self) -> None:
        self.count = 0

        @cache.kept("setting")
        async def keys() -> list[str]:
            self.count += 1
            return sorted(r["key"] for r in await Setting.select(Setting.key))

        self.keys = keys


async def stamp(table: str) -> int:
    rows = await DataGeneration.select(DataGeneration.generation).where(
        DataGeneration.name == table
    )
    return rows[0]["generation"]


async def write_elsewhere(sql: str) -> None:
    """A write on a connection of its own, as another process makes it: this process's
    engine never sees it."""
    db = engine()
    if db.engine_type == "sqlite":
        with sqlite3.connect(db.path) as connection:
            connection.execute(sql)
    else:
        connection = await asyncpg.connect(db.config["dsn"])
        try:
            await connection.execute(sql)
        finally:
            await connection.close()


async def test_every_cached_table_has_a_stamp_and_triggers_that_renew_it():
    rows = await DataGeneration.select(DataGeneration.name)
    assert {r["name"] for r in rows} == cache.TABLES
    db = engine()
    if db.engine_type == "sqlite":
        found = await db._run_in_new_connection(
            "SELECT tbl_name AS t, sql FROM sqlite_master WHERE type = 'trigger'"
        )
        events = {
            (r["t"], e)
            for r in found
            for e in ("INSERT", "UPDATE", "DELETE")
            if f"AFTER {e} ON" in r["sql"]
        }
        assert events == {(t, e) for t in cache.TABLES for e in ("INSERT", "UPDATE", "DELETE")}
    else:
        found = await db._run_in_new_connection(
            "SELECT c.relname AS t FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid"
            " WHERE g.tgname = 'data_generation_bump'"
        )
        assert {r["t"] for r in found} == cache.TABLES


@pytest.mark.parametrize(
    "write",
    [
        "INSERT INTO setting (key, value) VALUES ('extra', '1')",
        "UPDATE setting SET value = '2' WHERE key = 'seeded'",
        "DELETE FROM setting WHERE key = 'seeded'",
    ],
)
async def test_each_kind_of_write_stamps_its_table_anew(write):
    await write_elsewhere("INSERT INTO setting (key, value) VALUES ('seeded', '1')")
    before, other = await stamp("setting"), await stamp("person")
    await write_elsewhere(write)
    assert await stamp("setting") != before
    assert await stamp("person") == other


async def test_an_answer_is_kept_until_another_process_writes_its_table():
    loads = Loads()
    assert await loads.keys() == await loads.keys() == []
    assert loads.count == 1
    await write_elsewhere("INSERT INTO setting (key, value) VALUES ('extra', '1')")
    assert await loads.keys() == ["extra"]
    assert loads.count == 2


async def test_a_write_to_another_table_keeps_the_answer():
    loads = Loads()
    await loads.keys()
    await write_elsewhere("INSERT INTO department (name, position) VALUES ('综合科', 1)")
    await loads.keys()
    assert loads.count == 1


async def test_a_request_reads_the_stamps_once_and_again_after_it_writes():
    loads = Loads()
    with cache.per_request():
        await loads.keys()
        # Another process's write after the request read the stamps: the request goes on
        # with what it saw, as a request on one snapshot of the data would.
        await write_elsewhere("INSERT INTO setting (key, value) VALUES ('elsewhere', '1')")
        assert await loads.keys() == []
        # Its own write: the next use reads the stamps again and sees both.
        await store_setting("fever_threshold", 37.5)
        assert await loads.keys() == ["elsewhere", "fever_threshold"]
    assert loads.count == 2
    with cache.per_request():
        assert await loads.keys() == ["elsewhere", "fever_threshold"]
    assert loads.count == 2


async def test_nothing_is_kept_from_a_transaction_that_rolls_back():
    assert (await load_policy()).fever_threshold == 37.3

    class Undo(Exception):
        """Rolls the transaction back."""

    with pytest.raises(Undo):
        async with write_transaction():
            await store_setting("fever_threshold", 37.8)
            assert (await load_policy()).fever_threshold == 37.8  # its own write, unkept
            raise Undo
    assert (await load_policy()).fever_threshold == 37.3


async def test_a_caller_changing_its_list_does_not_change_the_next_callers():
    loads = Loads()
    (await loads.keys()).append("changed")
    assert await loads.keys() == []


async def test_a_table_without_a_stamp_cannot_be_cached():
    with pytest.raises(ValueError, match="visitor_check"):
        cache.kept("visitor_check")


async def test_an_answer_loaded_while_the_table_changed_is_not_kept():
    """The request's stamps are older than what a loader then reads: kept under them, the
    answer would come back when a restore brings those stamps back with older data."""
    first, second = Loads(), Loads()
    with cache.per_request():
        assert await first.keys() == []
        before = await stamp("setting")
        await write_elsewhere("INSERT INTO setting (key, value) VALUES ('extra', '1')")
        assert await second.keys() == ["extra"]
    # A restore of the state before: the row gone, the stamp as it was.
    await write_elsewhere("DELETE FROM setting WHERE key = 'extra'")
    await write_elsewhere(
        f"UPDATE data_generation SET generation = {before} WHERE name = 'setting'"
    )
    assert await second.keys() == []


async def test_a_task_the_request_starts_reads_the_stamps_afresh():
    loads = Loads()
    with cache.per_request():
        assert await loads.keys() == []
        await write_elsewhere("INSERT INTO setting (key, value) VALUES ('extra', '1')")
        assert await asyncio.create_task(loads.keys()) == ["extra"]


def _tables_read(sql: str) -> set[str]:
    return set(re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', sql, flags=re.IGNORECASE))


async def test_each_kept_loader_reads_only_the_tables_it_declared(
    monkeypatch, organisation_and_logins
):
    import server.app  # noqa: F401  (imports every domain, so every loader is registered)

    await organisation_and_logins.restore()
    db = engine()
    statements: list[str] = []
    run = type(db).run_querystring

    async def recording(self, querystring, *args, **kwargs):
        statements.append(str(querystring))
        return await run(self, querystring, *args, **kwargs)

    monkeypatch.setattr(type(db), "run_querystring", recording)
    assert len(cache.LOADERS) >= 6
    for loader, tables in cache.LOADERS:
        statements.clear()
        await loader(*[1] * len(inspect.signature(loader).parameters))
        read = set().union(*map(_tables_read, statements))
        assert read and read <= set(tables), (loader.__qualname__, read, tables)


async def test_the_stamps_migrate_backwards_and_forwards_again():
    result = await run_backwards("cache", migration_id="all", auto_agree=True)
    assert result.success, result.message
    try:
        # No trigger is left behind to write to a table that is gone.
        await write_elsewhere("INSERT INTO setting (key, value) VALUES ('extra', '1')")
    finally:
        await migrate()
    before = await stamp("setting")
    await write_elsewhere("DELETE FROM setting WHERE key = 'extra'")
    assert await stamp("setting") != before


async def test_a_writer_with_another_search_path_still_stamps_on_postgresql():
    """pg_restore, for one, writes with an empty search path."""
    db = engine()
    if db.engine_type == "sqlite":
        pytest.skip("PostgreSQL's search path")
    before = await stamp("setting")
    await write_elsewhere(
        "SET search_path = ''; INSERT INTO public.setting (key, value) VALUES ('extra', '1')"
    )
    assert await stamp("setting") != before
