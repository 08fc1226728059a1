"""The generated secret (HALLWATCH_SECRET unset): created once, readable by its owner only,
the same on every later start, and the same for app processes that start together (uvicorn's
workers each read the settings at once)."""

import multiprocessing
import stat

import pytest

from server.settings import Settings, secret_path, stored_secret

# Processes racing for one new file, and how many fresh files they race for: the window
# between creating the file and writing the secret into it is short, so it takes a few.
RACERS = 6
ROUNDS = 20


@pytest.fixture
def unset_secret(monkeypatch, tmp_path):
    """No HALLWATCH_SECRET, a SQLite database in a fresh directory."""
    monkeypatch.delenv("HALLWATCH_SECRET", raising=False)
    monkeypatch.delenv("HALLWATCH_SECRET_FILE", raising=False)
    monkeypatch.setenv("HALLWATCH_DB", f"sqlite:///{tmp_path / 'hall.db'}")
    return tmp_path / "hall.db.secret"


def test_the_first_start_creates_a_secret_only_its_owner_can_read(unset_secret):
    secret = Settings.from_env().secret
    assert len(secret) >= 48
    assert unset_secret.read_text().strip() == secret
    assert stat.S_IMODE(unset_secret.stat().st_mode) == 0o600


def test_the_next_start_reuses_it(unset_secret):
    first = Settings.from_env().secret
    assert Settings.from_env().secret == first
    assert list(unset_secret.parent.iterdir()) == [unset_secret]  # nothing left beside it


def test_a_secret_in_the_environment_is_used_and_nothing_is_written(unset_secret, monkeypatch):
    monkeypatch.setenv("HALLWATCH_SECRET", "from-the-environment")
    assert Settings.from_env().secret == "from-the-environment"
    assert not unset_secret.exists()


def test_hallwatch_secret_file_says_where_it_is_kept(unset_secret, monkeypatch, tmp_path):
    chosen = tmp_path / "elsewhere" / "secret"
    chosen.parent.mkdir()
    monkeypatch.setenv("HALLWATCH_SECRET_FILE", str(chosen))
    secret = Settings.from_env().secret
    assert chosen.read_text().strip() == secret
    assert not unset_secret.exists()


def test_with_postgresql_it_is_kept_in_the_working_directory(monkeypatch):
    monkeypatch.delenv("HALLWATCH_SECRET_FILE", raising=False)
    assert str(secret_path("postgresql://postgres@127.0.0.1:5432/test")) == "hallwatch.secret"


def test_an_empty_secret_file_is_refused_not_used(unset_secret):
    unset_secret.write_text("")
    with pytest.raises(RuntimeError, match="empty"):
        Settings.from_env()


def _start(path, barrier, results) -> None:
    barrier.wait()
    results.put(stored_secret(path))


def test_processes_starting_together_agree_on_one_secret(tmp_path):
    context = multiprocessing.get_context("fork")
    for round_ in range(ROUNDS):
        path = tmp_path / f"{round_}.secret"
        barrier, results = context.Barrier(RACERS), context.Queue()
        processes = [
            context.Process(target=_start, args=(path, barrier, results)) for _ in range(RACERS)
        ]
        for process in processes:
            process.start()
        secrets = [results.get(timeout=30) for _ in processes]
        for process in processes:
            process.join(timeout=30)
            assert process.exitcode == 0
        assert len(set(secrets)) == 1 and secrets[0] == path.read_text().strip(), secrets
        assert secrets[0], "a process read the file before the secret was in it"
