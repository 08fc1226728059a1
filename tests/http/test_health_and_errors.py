"""The health check and how refusals look."""

from bs4 import BeautifulSoup


async def test_healthz_reports_the_database_without_login(anonymous, db_url):
    response = await anonymous.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["pending_migrations"] == 0
    assert body["engine"] == ("postgres" if db_url.startswith("postgres") else "sqlite")


async def test_unknown_page_is_a_translated_404_page(client_as):
    async with client_as("office") as client:
        response = await client.get(
            "/office/visitors/00000000-0000-0000-0000-000000000000",
            headers={"accept": "text/html", "accept-language": "en"},
        )
    assert response.status_code == 404
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one(".alert.error").text == "There is nothing here."


async def test_forbidden_page_names_the_reason_in_the_users_language(client_as):
    async with client_as("desk") as client:
        response = await client.get("/office", headers={"accept": "text/html"})
    assert response.status_code == 403
    assert '<html lang="zh-CN">' in response.text


async def test_service_worker_is_never_cached_by_http(anonymous):
    response = await anonymous.get("/sw.js")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"].startswith("text/javascript")
    assert "hallwatch-shell-" in response.text


async def test_pages_are_html(client_as):
    async with client_as("office") as client:
        for path in ("/office", "/login"):
            response = await client.get(path)
            assert response.headers["content-type"].startswith("text/html"), path
