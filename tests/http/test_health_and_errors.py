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


async def test_pages_are_never_cached_and_carry_the_security_headers(client_as):
    async with client_as("office") as client:
        response = await client.get("/office")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_service_worker_version_follows_the_shell(tmp_path, monkeypatch):
    from server import shell

    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "app.css").write_text("body {}")
    (tmp_path / "sw.js").write_text('const VERSION = "2";\nconst CACHE = VERSION;\n')
    monkeypatch.setattr(shell, "WEB_DIR", tmp_path)

    def version() -> str:
        shell.shell_fingerprint.cache_clear()
        shell.service_worker_script.cache_clear()
        return shell.VERSION_LINE.search(shell.service_worker_script()).group(1)

    first = version()
    assert first.startswith("2-") and version() == first
    (tmp_path / "static" / "app.css").write_text("body { color: red }")
    assert version() != first
    shell.shell_fingerprint.cache_clear()
    shell.service_worker_script.cache_clear()


async def test_an_id_too_large_for_the_database_is_a_translated_400(client_as):
    # Found by schemathesis: SQLite cannot bind an integer past 64 bits (OverflowError) and
    # asyncpg refuses one past PostgreSQL's 32-bit column: both were a 500.
    async with client_as("head") as client:
        huge = await client.get(f"/team/{2**70}/declaration", headers={"accept-language": "en"})
        past_int32 = await client.get(f"/team/{2**40}/declaration")
    assert huge.status_code == 400
    assert huge.json()["detail"] == "The request was not understood."
    assert past_int32.status_code in (400, 404)  # 64-bit SQLite has no such row
