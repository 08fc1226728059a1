"""A leader switches emergency response on and off; every page shows the banner meanwhile."""

from bs4 import BeautifulSoup

from server.audit.tables import AuditEntry
from tests.support import csrf_from


def banner(response):
    return BeautifulSoup(response.text, "html.parser").select_one(".emergency-banner")


async def test_on_with_a_reason_shows_everywhere_then_off(client_as, seeded):
    async with client_as("leader") as leader, client_as("desk") as desk:
        token = csrf_from((await leader.get("/emergency/")).text)
        refused = await leader.post("/emergency/", data={"active": "on", "_csrf_token": token})
        assert refused.status_code == 422 and banner(await desk.get("/desk")) is None
        switched = await leader.post(
            "/emergency/",
            data={"active": "on", "reason": "大厅出现确诊病例", "_csrf_token": token},
            follow_redirects=True,
        )
        assert "大厅出现确诊病例" in banner(await desk.get("/desk")).text
        # The page after switching shows the new state: its banner and the switch-off button.
        assert banner(switched) is not None and 'value="off"' in switched.text
        await leader.post("/emergency/", data={"active": "off", "_csrf_token": token})
        assert banner(await desk.get("/desk")) is None
        log = BeautifulSoup((await leader.get("/emergency/")).text, "html.parser")
    assert len(log.select("main .entries li.entry")) == 2
    assert "邢跃" in log.select_one("main .entries li.entry").text  # the leader, by name
    assert await AuditEntry.count().where(AuditEntry.entity == "emergency") == 2


async def test_switching_twice_is_one_switch(client_as, seeded):
    async with client_as("leader") as leader:
        token = csrf_from((await leader.get("/emergency/")).text)
        for _ in range(2):
            await leader.post(
                "/emergency/", data={"active": "on", "reason": "演练", "_csrf_token": token}
            )
        log = BeautifulSoup((await leader.get("/emergency/")).text, "html.parser")
        await leader.post("/emergency/", data={"active": "off", "_csrf_token": token})
    assert [
        li.select_one(".name").text.split("·")[0].strip()
        for li in log.select("main .entries li.entry")
    ][:2] != ["On", "On"]
