"""HTTP tests: the real app on a real database through Litestar's test client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from server.app import create_app
from tests.support import DEMO_PASSWORD, csrf_from

ROLES = ("admin", "leader", "office", "head", "staff", "desk")


@pytest.fixture(scope="module")
async def seeded(organisation_and_logins):
    """A fresh database with the plan's organisation and one login per role."""
    return await organisation_and_logins.restore()


@pytest.fixture(scope="module")
def app(seeded):
    return create_app()


async def log_in(client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD):
    page = await client.get("/login")
    return await client.post(
        "/login",
        data={"username": username, "password": password, "_csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )


def test_client(app) -> httpx.AsyncClient:
    """A client calling the app in this event loop. The app's lifespan is not run: it would
    start a PostgreSQL pool in Litestar's test-client thread, on another loop than the one
    the tests query the database from."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver.local",
        follow_redirects=True,
    )


@pytest.fixture
async def anonymous(app) -> AsyncIterator[httpx.AsyncClient]:
    async with test_client(app) as client:
        yield client


@pytest.fixture
def client_as(app):
    """`async with client_as("desk") as client:` a client logged in with that role."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def factory(username: str):
        async with test_client(app) as client:
            response = await log_in(client, username)
            assert response.status_code in (302, 303), response.text
            yield client

    return factory


async def form_token(client: httpx.AsyncClient, path: str = "/") -> str:
    """A CSRF token valid for this client's cookie, read from a page it may open."""
    return csrf_from((await client.get(path)).text)
