from tests.http.conftest import log_in


async def test_login_then_desk(anonymous):
    response = await log_in(anonymous, "desk")
    assert response.status_code in (302, 303)
    page = await anonymous.get("/desk")
    assert page.status_code == 200
    assert 'name="temperature"' in page.text
