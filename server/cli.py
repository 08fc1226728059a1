"""The `hallwatch` command: serve, migrate, seed-demo, create-user."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress

from server.settings import Settings

console = Console(stderr=True)


def _run(coro):
    return asyncio.run(coro)


async def _with_database(work):
    """Run `work` with the database connected (a connection pool on PostgreSQL)."""
    from server import db

    engine = db.engine()
    await db.start(engine)
    try:
        return await work()
    finally:
        await db.stop(engine)


@click.group()
def main() -> None:
    """Hallwatch (大厅防疫通): epidemic prevention for a public service hall."""


@main.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from server.migrations import migrate as run_migrations

    with console.status("Applying migrations…"):
        _run(_with_database(run_migrations))
    console.print("[green]Database is up to date.[/green]")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="App processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Apply pending migrations, then serve the app."""
    import uvicorn

    from server.db import describe
    from server.migrations import migrate as run_migrations

    settings = Settings.from_env()
    with console.status("Applying migrations…"):
        _run(_with_database(run_migrations))
    console.print(f"Hallwatch on http://{host}:{port}  (database {describe(settings.db_url)})")
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


@main.command("seed-demo")
@click.option("--password", required=True, help="Password of every demo login.")
@click.option("--days", default=5, show_default=True, type=int, help="Days of checks to create.")
def seed_demo(password: str, days: int) -> None:
    """Load the plan's organisation, the demo logins and a few days of checks."""
    from server import demo
    from server.declarations.demo_data import seed_declarations
    from server.disinfection.demo_data import seed_disinfection
    from server.migrations import migrate as run_migrations

    async def work():
        await run_migrations()
        with Progress(console=console, transient=True) as progress:
            org = progress.add_task("Organisation", total=None)
            departments = await demo.seed_organisation(
                lambda name: progress.update(org, description=f"Organisation: {name}")
            )
            progress.update(org, completed=1, total=1)
            await demo.seed_users(password, departments)
            task = progress.add_task("Checks", total=days)
            stored = await demo.seed_checks(
                days, lambda day: progress.update(task, advance=1, description=f"Checks: {day}")
            )
            await seed_declarations(days, lambda _: None)
            await demo.seed_operations()
            await demo.seed_zero_reports(days)
            await seed_disinfection()
        return stored

    stored = _run(_with_database(work))
    console.print(
        f"[green]Demo data ready[/green]: {stored} new checks; logins "
        "admin, leader, office, head, staff, desk."
    )


@main.command("purge")
def purge_command() -> None:
    """Purge visitor records past the retention period now (the app also does it every 6 h)."""
    from server.housekeeping import run_once

    done = _run(_with_database(run_once))
    console.print(f"[green]Purged {done['visitor_records_purged']} visitor records.[/green]")


@main.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """Write a consistent copy of the whole database to TARGET (safe while serving)."""
    from server.backup import backup

    with console.status("Backing up…"):
        backup(Settings.from_env().db_url, target)
    console.print(f"[green]Backup written to {target}.[/green]")


@main.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database with the backup in SOURCE. Stop the app first."""
    from server.backup import restore

    if not yes:
        click.confirm("This replaces everything in the database. Go on?", abort=True)
    with console.status("Restoring…"):
        restore(Settings.from_env().db_url, source)
    console.print(f"[green]Database restored from {source}.[/green]")


@main.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "leader", "office", "head", "staff", "desk"]),
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="", help="Display name.")
def create_user_command(username: str, role: str, password: str, name: str) -> None:
    """Create an account (or reset an existing one's password and role)."""
    from server.accounts.service import AccountError, create_user
    from server.migrations import migrate as run_migrations

    async def work():
        await run_migrations()
        return await create_user(username, password, role, display_name=name)

    try:
        _run(_with_database(work))
    except AccountError as bad:
        raise click.ClickException(str(bad)) from None
    console.print(f"[green]Account {username} ({role}) saved.[/green]")


if __name__ == "__main__":
    main()
