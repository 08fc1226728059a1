"""Every form needs the CSRF token that matches the client's cookie."""

import pytest

from tests.support import csrf_from

FORMS = ["/desk/visitors", "/desk/staff", "/logout", "/language"]


@pytest.mark.parametrize("path", FORMS)
async def test_post_without_token_is_refused(client_as, path):
    async with client_as("desk") as client:
        response = await client.post(path, data={"name": "x"}, headers={"accept": "text/html"})
    assert response.status_code == 403
    assert "Reload" in response.text or "刷新" in response.text


async def test_token_of_another_client_is_refused(client_as, anonymous):
    foreign = csrf_from((await anonymous.get("/login")).text)
    async with client_as("desk") as client:
        response = await client.post("/desk/visitors", data={"_csrf_token": foreign})
    assert response.status_code == 403


async def test_login_form_itself_needs_the_token(anonymous):
    await anonymous.get("/login")
    response = await anonymous.post("/login", data={"username": "desk", "password": "x"})
    assert response.status_code == 403


async def test_htmx_sends_the_token_as_a_header(client_as):
    async with client_as("desk") as client:
        page = await client.get("/desk")
        token = csrf_from(page.text)
        assert f'"X-CSRFToken": "{token}"' in page.text
        response = await client.post(
            "/desk/visitors",
            data={"name": ""},
            headers={"x-csrftoken": token, "hx-request": "true"},
        )
    assert response.status_code == 422
