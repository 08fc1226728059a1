"""What an app process keeps in its cache (server/cache) gives way, at its very next request,
to a change made by any other process on the database: here this test process changes a
setting and switches an account off while a real `hallwatch serve` answers the desk."""

import json
import os
import re

import httpx

from server.accounts.tables import UserAccount
from server.policy.service import store_setting
from tests.http.conftest import log_in
from tests.servers import free_port, serve, stop, wait_until_up


def desk_policy(page: httpx.Response) -> dict:
    assert page.status_code == 200, page.status_code
    found = re.search(r"data-policy='([^']*)'", page.text)
    return json.loads(found.group(1).replace("&#34;", '"').replace("&quot;", '"'))


async def test_a_change_made_by_another_process_is_in_force_at_the_next_request(
    organisation_and_logins, tmp_path
):
    await organisation_and_logins.restore()
    port, log = free_port(), tmp_path / "serve.log"
    process = serve(port, dict(os.environ), log)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/healthz", process, log)
        async with httpx.AsyncClient(base_url=url, timeout=30) as desk:
            assert (await log_in(desk, "desk")).status_code == 303
            for _ in range(2):  # loaded, then kept
                assert desk_policy(await desk.get("/desk"))["fever_threshold"] == 37.3

            await store_setting("fever_threshold", 37.5)
            assert desk_policy(await desk.get("/desk"))["fever_threshold"] == 37.5

            await UserAccount.update({UserAccount.active: False}).where(
                UserAccount.username == "desk"
            )
            refused = await desk.get("/desk")
            assert refused.status_code in (302, 303, 401), refused.status_code
            assert "/login" in refused.headers.get("location", "/login")
    finally:
        stop(process)
