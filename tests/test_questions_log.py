"""The owner's question log: nothing lost under concurrent writes or a kill -9, nothing blocking answers
when the database is read-only, corrupt or turned off, ratings stored against their question."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from article_qa.questions_log import Entry, QuestionLog, connect, entries, log_path, open_log, prune
from article_qa.ui import ChatService

from .conftest import ROOT


def test_sixteen_threads_lose_no_row(tmp_path):
    qlog = QuestionLog(tmp_path / "q.sqlite")

    def ask(worker: int) -> None:
        for n in range(100):
            qlog.record(Entry(f"question {worker}-{n}", answered=n % 2 == 0, confidence=0.5, endpoint="page"))

    threads = [threading.Thread(target=ask, args=(w,)) for w in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert qlog.flush()
    rows = entries(tmp_path / "q.sqlite")
    assert len(rows) == 1600 and len({r.question for r in rows}) == 1600
    qlog.close()


def test_two_writers_at_once_share_the_database(tmp_path):
    """Two page workers (two connections in WAL mode) write side by side without losing a row."""
    a, b = QuestionLog(tmp_path / "q.sqlite"), QuestionLog(tmp_path / "q.sqlite")
    for n in range(300):
        (a if n % 2 else b).record(Entry(f"q{n}", answered=True, confidence=0.9))
    assert a.flush() and b.flush()
    assert len(entries(tmp_path / "q.sqlite")) == 300
    mode = sqlite3.connect(tmp_path / "q.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


WRITER = """
import sys, time
from article_qa.questions_log import Entry, QuestionLog
qlog = QuestionLog(sys.argv[1])
n = 0
while True:
    for _ in range(20):
        qlog.record(Entry(f"question {n}", answered=True, confidence=0.9))
        n += 1
    qlog.flush()
    print(n, flush=True)
"""


def test_a_kill_9_mid_write_leaves_every_committed_row(tmp_path):
    db = tmp_path / "q.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})  # fmt: skip
    committed = 0
    deadline = time.monotonic() + 60
    while committed < 400 and time.monotonic() < deadline:
        committed = int(proc.stdout.readline() or committed)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    count = con.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
    assert committed >= 400 and count >= committed


def test_ratings_are_stored_against_their_question(tmp_path):
    qlog = QuestionLog(tmp_path / "q.sqlite")
    first = qlog.record(Entry("Does it help?", answered=True, confidence=0.9, passages=["a:1"]))
    second = qlog.record(Entry("Is it safe?", answered=True, confidence=0.8))
    qlog.rate(first, -1)
    qlog.rate(second, 1)
    qlog.rate(second, None)  # taken back
    assert qlog.flush()
    rows = {r.question: r for r in entries(tmp_path / "q.sqlite")}
    assert rows["Does it help?"].rating == -1 and rows["Is it safe?"].rating is None


def test_prune_deletes_only_old_rows(tmp_path):
    qlog = QuestionLog(tmp_path / "q.sqlite")
    now = time.time()
    qlog.record(Entry("old", answered=True, confidence=1.0, asked_at=now - 100 * 86400))
    qlog.record(Entry("new", answered=True, confidence=1.0, asked_at=now))
    assert qlog.flush()
    assert prune(tmp_path / "q.sqlite", now - 90 * 86400) == 1
    assert [r.question for r in entries(tmp_path / "q.sqlite")] == ["new"]
    assert [r.question for r in entries(tmp_path / "q.sqlite", since=now - 10)] == ["new"]


def test_where_the_log_goes(tmp_path, monkeypatch):
    monkeypatch.delenv("ARTICLE_QA_LOG", raising=False)
    assert log_path(tmp_path / "my-docs" / ".index") == tmp_path / "my-docs" / "questions.sqlite"
    monkeypatch.setenv("ARTICLE_QA_LOG", str(tmp_path / "elsewhere.sqlite"))
    assert log_path("index") == tmp_path / "elsewhere.sqlite"
    monkeypatch.setenv("ARTICLE_QA_LOG", "off")
    assert log_path("index") is None and open_log("index") is None


# ----- answering goes on whatever the log does --------------------------------------------------------
def _answers_and_logs(retriever, qlog) -> str:
    service = ChatService(retriever, qlog)
    reply = service.answer("Does ketamine help with alcohol use disorder?")
    service.ask("Is ketamine addictive?")
    service.retrieve("What are the side effects?")
    if qlog is not None:
        qlog.flush()
    return reply.markdown


def test_the_page_logs_each_endpoint_and_answers(fake_retriever, tmp_path):
    qlog = QuestionLog(tmp_path / "q.sqlite")
    reply = _answers_and_logs(fake_retriever, qlog)
    rows = entries(tmp_path / "q.sqlite")
    assert ">" in reply and [r.endpoint for r in rows] == ["page", "ask", "retrieve"]
    first = rows[0]
    assert first.question == "Does ketamine help with alcohol use disorder?" and first.took_ms > 0
    assert all(p.startswith("ketamine-for-addiction:") for p in first.passages)
    assert not hasattr(first, "ip") and "ip" not in {c[1] for c in _columns(tmp_path / "q.sqlite")}


def _columns(db: Path) -> list[tuple]:
    return sqlite3.connect(db).execute("PRAGMA table_info(questions)").fetchall()


def test_a_place_it_cannot_write_keeps_the_page_answering(fake_retriever, tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # the log's folder cannot be made, whoever runs the test
    qlog = QuestionLog(blocker / "q.sqlite")
    assert ">" in _answers_and_logs(fake_retriever, qlog)
    assert ">" in _answers_and_logs(fake_retriever, qlog)
    assert caplog.text.count("cannot write the question log") == 1  # said once, not for every question


def test_a_read_only_database_keeps_the_page_answering(fake_retriever, tmp_path, caplog):
    db = tmp_path / "q.sqlite"
    connect(db).close()
    con = sqlite3.connect(db)
    con.execute("CREATE TRIGGER no_writes BEFORE INSERT ON questions BEGIN SELECT RAISE(ABORT, 'read only'); END")
    con.commit()
    con.close()
    qlog = QuestionLog(db)
    assert ">" in _answers_and_logs(fake_retriever, qlog)
    assert caplog.text.count("cannot write the question log") == 1  # said once, not for every question


def test_a_corrupt_database_is_moved_aside_and_a_new_one_started(fake_retriever, tmp_path, caplog):
    db = tmp_path / "q.sqlite"
    db.write_bytes(b"this is not a database, just bytes " * 200)
    qlog = QuestionLog(db)
    assert ">" in _answers_and_logs(fake_retriever, qlog)
    _answers_and_logs(fake_retriever, qlog)
    aside = list(tmp_path.glob("q.sqlite.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    assert "was corrupt" in caplog.text and len(entries(db)) >= 3


def test_log_off_writes_nothing(fake_retriever, tmp_path, monkeypatch):
    monkeypatch.setenv("ARTICLE_QA_LOG", "off")
    assert ">" in _answers_and_logs(fake_retriever, open_log(tmp_path / "index"))
    assert not list(tmp_path.glob("*.sqlite*"))


def test_a_locked_database_never_holds_an_answer(fake_retriever, tmp_path):
    """Another process holds the write lock: every answer comes back while its row still waits."""
    db = tmp_path / "q.sqlite"
    connect(db).close()
    holder = sqlite3.connect(db, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, held
    qlog = QuestionLog(db)
    service = ChatService(fake_retriever, qlog)
    replies = [service.answer("Does ketamine help with alcohol use disorder?") for _ in range(5)]
    assert all(r.log_id and ">" in r.markdown for r in replies) and entries(db) == []  # answered, not yet written
    holder.rollback()
    holder.close()
    assert qlog.flush(timeout=30)
    assert len(entries(db)) == 5


def test_python_ask_logs_only_when_asked(monkeypatch, fake_retriever, tmp_path):
    import article_qa.retrieval as retrieval

    monkeypatch.setattr(retrieval, "_default", fake_retriever)
    retrieval.ask("Does ketamine help with alcohol use disorder?")
    assert not list(tmp_path.glob("*.sqlite"))
    qlog = QuestionLog(tmp_path / "q.sqlite")
    retrieval.ask("Does ketamine help with alcohol use disorder?", log=qlog)
    retrieval.retrieve("Is ketamine addictive?", log=qlog)
    qlog.flush()
    assert [(e.endpoint, e.question) for e in entries(tmp_path / "q.sqlite")] == [
        ("python", "Does ketamine help with alcohol use disorder?"),
        ("python", "Is ketamine addictive?"),
    ]
