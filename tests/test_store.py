"""The batch store: its tables, the cache key, failures, locking and read-only access."""

from __future__ import annotations

import sqlite3

import pytest

from summarizer import InputError, SetupError
from summarizer._batch.store import (
    LOCK_FILE,
    STORE_FILE,
    STORE_VERSION,
    ExportedResult,
    Failure,
    Store,
    StoredArticle,
    Version,
)

V1 = Version("incident", "incident@1", "model-a")
V2 = Version("incident", "incident@2", "model-a")
FAILURE = Failure("ExtractionError", 9, "the model's answer did not validate")


def stored(article_id: str, text: str = "A bomb exploded.") -> StoredArticle:
    return StoredArticle(article_id, f"{article_id}.txt", None, None, "2024-01-02", text)


def query(folder, sql: str) -> list[tuple]:
    with sqlite3.connect(folder / STORE_FILE) as db:
        return db.execute(sql).fetchall()


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "out") as opened:
        yield opened


def test_a_new_store_is_a_wal_database_with_its_tables(tmp_path) -> None:
    Store.open(tmp_path / "out").close()
    db = sqlite3.connect(tmp_path / "out" / STORE_FILE)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("PRAGMA user_version").fetchone() == (STORE_VERSION,)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {
        "articles",
        "runs",
        "results",
        "errors",
        "jobs",
        "job_articles",
        "webhooks",
        "reviews",
    }


def test_results_are_keyed_by_content_and_version(tmp_path, store) -> None:
    run = store.start_run(V1, workers=2)
    store.add_article(stored("a"), "key-a")
    store.save_result("key-a", V1, "a", {"records": [{"id": "r1"}]}, run)
    assert store.result("key-a", V1) == {"records": [{"id": "r1"}]}
    assert store.result("key-a", V2) is None
    assert store.result("key-b", V1) is None
    assert query(tmp_path / "out", "SELECT records FROM results") == [(1,)]


def test_an_article_seen_again_takes_its_new_content(tmp_path, store) -> None:
    store.add_article(stored("a", "First version."), "key-1")
    store.add_article(stored("a", "Second version."), "key-2")
    assert store.article("a").text == "Second version."
    assert query(tmp_path / "out", "SELECT count(*) FROM articles") == [(1,)]


def test_failures_are_logged_and_the_latest_one_counts(tmp_path, store) -> None:
    run = store.start_run(V1, workers=1)
    store.save_failure(run, V1, "a", "a.txt", "key-a", Failure("EndpointError", 7, "HTTP 503"))
    store.save_failure(run, V1, "a", "a.txt", "key-a", FAILURE)
    store.save_failure(run, V1, "bad", "bad.txt", None, Failure("InputError", 3, "empty"))
    assert store.failure("key-a", V1) == FAILURE
    assert store.failure("key-a", V2) is None
    assert query(tmp_path / "out", "SELECT count(*) FROM errors") == [(3,)]


def test_failed_articles_are_those_without_a_result_since(store) -> None:
    run = store.start_run(V1, workers=1)
    for name in ("a", "b", "c"):
        store.add_article(stored(name, f"Text {name}."), f"key-{name}")
    for name in ("a", "b"):
        store.save_failure(run, V1, name, f"{name}.txt", f"key-{name}", FAILURE)
    store.save_result("key-b", V1, "b", {"records": []}, run)
    assert [a.id for a in store.failed_articles(V1)] == ["a"]
    assert list(store.failed_articles(V2)) == []
    assert next(store.failed_articles(V1)) == stored("a", "Text a.")


def test_exports_take_each_articles_newest_result_of_one_schema(store) -> None:
    run = store.start_run(V1, workers=1)
    store.add_article(stored("b"), "key-b")
    store.add_article(StoredArticle("a", "a.html", "https://x/a", "A", None, "T"), "key-a")
    store.add_article(stored("same-as-b"), "key-b")
    store.add_article(stored("undone"), "key-undone")
    store.save_result("key-a", V1, "a", {"v": 1}, run)
    store.save_result("key-a", V2, "a", {"v": 2}, run)
    store.save_result("key-b", V1, "b", {"v": 1}, run)
    other = Version("MyModel", "generic@1", "model-a")
    store.save_result("key-b", other, "b", {"v": "mine"}, run)
    assert list(store.latest_results("incident")) == [
        ExportedResult("b", "b.txt", None, None, {"v": 1}, "key-b"),
        ExportedResult("a", "a.html", "https://x/a", "A", {"v": 2}, "key-a"),
        ExportedResult("same-as-b", "same-as-b.txt", None, None, {"v": 1}, "key-b"),
    ]
    assert [r.document for r in store.latest_results("MyModel")] == [{"v": "mine"}] * 2


def test_one_writer_at_a_time(tmp_path, store) -> None:
    with pytest.raises(SetupError, match="another summarizer batch"):
        Store.open(tmp_path / "out")
    assert (tmp_path / "out" / LOCK_FILE).exists()


def test_runs_left_running_by_a_dead_process_are_marked_crashed(tmp_path) -> None:
    with Store.open(tmp_path) as first:
        run = first.start_run(V1, workers=1)
    with Store.open(tmp_path) as second:
        finished = second.start_run(V1, workers=1)
        second.finish_run(finished, "finished", done=1, cached=2, failed=3)
    assert query(tmp_path, "SELECT id, status, done, cached, failed FROM runs") == [
        (run, "crashed", 0, 0, 0), (finished, "finished", 1, 2, 3)
    ]  # fmt: skip


def test_a_crashed_run_counts_what_it_stored(tmp_path) -> None:
    with Store.open(tmp_path) as first:
        run = first.start_run(V1, workers=1)
        first.add_article(stored("a"), "key-a")
        first.save_result("key-a", V1, "a", {"records": []}, run)
    with Store.open(tmp_path):
        pass
    assert query(tmp_path, "SELECT status, done FROM runs") == [("crashed", 1)]


def test_reading_needs_a_store_and_never_writes(tmp_path) -> None:
    with pytest.raises(InputError, match="no summarizer store here"):
        Store.read(tmp_path)
    assert not (tmp_path / STORE_FILE).exists()
    Store.open(tmp_path).close()
    with Store.read(tmp_path) as reader, pytest.raises(SetupError, match="read-only"):
        reader.add_article(stored("a"), "key")


def test_a_store_of_another_version_is_refused(tmp_path) -> None:
    Store.open(tmp_path).close()
    with sqlite3.connect(tmp_path / STORE_FILE) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(SetupError, match="version 99"):
        Store.open(tmp_path)


def test_out_must_be_a_folder(tmp_path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match="is not a folder"):
        Store.open(tmp_path / "file")
