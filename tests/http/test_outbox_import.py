"""The office imports a file of entries a desk phone could not send."""

import json

from bs4 import BeautifulSoup

from server.checks.tables import VisitorCheck
from tests.http.test_sync import visitor_create
from tests.support import csrf_from


def outbox(*mutations, device="dev-lost") -> bytes:
    return json.dumps(
        {
            "format": "hallwatch-outbox",
            "version": 1,
            "device": device,
            "exported_at": "2026-11-29T08:00:00Z",
            "mutations": list(mutations),
        }
    ).encode()


async def upload(client, data: bytes):
    token = csrf_from((await client.get("/office/import/")).text)
    return await client.post(
        "/office/import/",
        data={"_csrf_token": token},
        files={"file": ("outbox.json", data, "application/json")},
    )


def count(response, status: str) -> int:
    return int(BeautifulSoup(response.text, "html.parser").select_one(f"#count-{status}").text)


async def test_import_stores_each_entry_once_and_names_the_refused(client_as):
    good, other, bad = (
        visitor_create(name="导入一"),
        visitor_create(name="导入二"),
        visitor_create(phone="12"),
    )
    file = outbox(good, other, bad)
    async with client_as("office") as office:
        first = await upload(office, file)
        again = await upload(office, file)
    assert (count(first, "applied"), count(first, "rejected")) == (2, 1)
    assert (count(again, "duplicate"), count(again, "applied")) == (2, 0)
    assert "手机号" in first.text or "mobile" in first.text
    rows = await VisitorCheck.select(VisitorCheck.device, VisitorCheck.recorded_by).where(
        VisitorCheck.id.is_in([good["entity_id"], other["entity_id"]])
    )
    assert [r["device"] for r in rows] == ["dev-lost", "dev-lost"]


async def test_a_file_that_is_not_an_outbox_is_refused(client_as):
    async with client_as("office") as office:
        response = await upload(office, b'{"format": "something-else"}')
    assert response.status_code == 422
    assert BeautifulSoup(response.text, "html.parser").select_one(".alert.error")
