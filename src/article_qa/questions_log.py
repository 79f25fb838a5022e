"""The owner's question log: every question asked on the page or its API, and how readers rated it.

One SQLite database (standard library) in WAL mode, so that several page workers write side by side and
a kill of the server loses no committed row. By default it is ``questions.sqlite`` beside the corpus's
index (``my-docs/questions.sqlite`` for a folder of one's own), ``ARTICLE_QA_LOG`` names another file,
and ``ARTICLE_QA_LOG=off`` turns it off. A row holds the time, the question, the article it was asked of,
whether it was answered, the confidence, what was missing, the passages shown, how long answering took
and which endpoint was asked; never an address, a cookie or a user id.

Answering never waits on the log: `QuestionLog.record` and `QuestionLog.rate` put the row on a queue that
one writer thread commits. A database that is locked, read-only, full or corrupt is logged once and
answering goes on (a corrupt file is moved aside and a new one started). Reading for the report
(`entries`) and pruning (`prune`) are plain functions. Nothing here answers or ranks.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LOG_FILE = "questions.sqlite"
BATCH_SECONDS = 0.25  # rows wait at most this long to be committed together
LOCK_PATIENCE = 120.0  # seconds a batch waits for a database another writer holds, before it is given up
SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY,
    asked_at REAL NOT NULL,
    question TEXT NOT NULL,
    article TEXT,
    answered INTEGER NOT NULL,
    confidence REAL NOT NULL,
    missing TEXT NOT NULL,
    passages TEXT NOT NULL,
    took_ms REAL NOT NULL,
    endpoint TEXT NOT NULL,
    rating INTEGER,
    rated_at REAL
);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
"""
INSERT = (
    "INSERT OR IGNORE INTO questions (id, asked_at, question, article, answered, confidence, missing, passages, "
    "took_ms, endpoint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class Entry:
    """One question as the log keeps it."""

    question: str
    answered: bool
    confidence: float
    missing: list[str] = field(default_factory=list)
    passages: list[str] = field(default_factory=list)  # passage ids shown, best first
    took_ms: float = 0.0
    endpoint: str = "page"  # page | chat | ask | retrieve
    article: str | None = None
    asked_at: float = field(default_factory=time.time)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    rating: int | None = None  # +1 liked, -1 disliked, None not rated

    def row(self) -> tuple[Any, ...]:
        return (self.id, self.asked_at, self.question, self.article, int(self.answered), float(self.confidence),
                json.dumps(self.missing, ensure_ascii=False), json.dumps(self.passages), float(self.took_ms),
                self.endpoint)  # fmt: skip


def log_path(index_dir: str | Path) -> Path | None:
    """Where the log of a corpus goes: ``ARTICLE_QA_LOG`` (``off``: nowhere), else beside its index.

    >>> os.environ.pop("ARTICLE_QA_LOG", None) and None
    >>> str(log_path("my-docs/.index")), str(log_path("index"))
    ('my-docs/questions.sqlite', 'questions.sqlite')
    """
    setting = os.environ.get("ARTICLE_QA_LOG", "").strip()
    if setting.lower() in ("off", "0", "false", "no", "none"):
        return None
    return Path(setting) if setting else Path(index_dir).parent / LOG_FILE


def connect(path: str | Path, timeout: float = 5.0) -> sqlite3.Connection:
    """A connection to the log with its table, in WAL mode."""
    con = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False)
    try:
        if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'questions'").fetchone() is None:
            con.executescript(SCHEMA)
    except sqlite3.DatabaseError:
        con.close()
        raise
    return con


class QuestionLog:
    """The log of one corpus: `record` and `rate` return at once; a writer thread commits."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._queue: queue.SimpleQueue[tuple[str, Any] | None] = queue.SimpleQueue()
        self._pending = 0
        self._cond = threading.Condition()
        self._warned: set[str] = set()
        self._thread = threading.Thread(target=self._write_loop, name="question-log", daemon=True)
        self._thread.start()

    # ----- what answering calls (never blocks, never raises) ------------------------------------------
    def record(self, entry: Entry) -> str:
        self._put(("record", entry))
        return entry.id

    def rate(self, entry_id: str, rating: int | None) -> None:
        """A reader's thumbs on an answer: +1, -1, or None to take it back."""
        self._put(("rate", (entry_id, rating, time.time())))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything put so far is written (or given up on); False on time-out."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self) -> None:
        self.flush()
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _put(self, item: tuple[str, Any]) -> None:
        with self._cond:
            self._pending += 1
        self._queue.put(item)

    # ----- the writer thread ------------------------------------------------------------------------
    def _write_loop(self) -> None:
        con: sqlite3.Connection | None = None
        while True:
            item = self._queue.get()
            if item is None:
                break
            batch = [item]
            until = time.monotonic() + BATCH_SECONDS
            while len(batch) < 500:  # what comes meanwhile goes in the same transaction: one commit, not one a row
                try:
                    more = self._queue.get(timeout=max(0.0, until - time.monotonic()))
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)
                    break
                batch.append(more)
            try:
                con = self._write(con, batch)
            finally:
                with self._cond:
                    self._pending -= len(batch)
                    self._cond.notify_all()
        if con is not None:
            con.close()

    def _write(self, con: sqlite3.Connection | None, batch: list[tuple[str, Any]]) -> sqlite3.Connection | None:
        """Commit a batch; a database locked by another writer is waited for (up to `LOCK_PATIENCE`
        seconds), anything else is logged once and the batch given up."""
        waited, pause = 0.0, 0.05
        while True:
            try:
                con = con or self._open()
                with con:
                    for kind, value in batch:
                        if kind == "record":
                            con.execute(INSERT, value.row())
                        else:
                            con.execute("UPDATE questions SET rating = ?, rated_at = ? WHERE id = ?",
                                        (value[1], value[2], value[0]))  # fmt: skip
                return con
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc).lower() or "busy" in str(exc).lower()
                if busy and waited < LOCK_PATIENCE:
                    time.sleep(pause)
                    waited, pause = waited + pause, min(pause * 2, 2.0)
                    continue
                return self._recover(con, exc)
            except sqlite3.DatabaseError as exc:
                return self._recover(con, exc)
            except OSError as exc:
                self._warn_once("os", f"cannot write the question log {self.path} ({exc}); answering goes on")
                return None

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return connect(self.path)

    def _recover(self, con: sqlite3.Connection | None, exc: sqlite3.DatabaseError) -> sqlite3.Connection | None:
        """After a failed write: a corrupt file is moved aside (and a new log started); anything else
        (locked, read-only, full) is logged once and the rows of that batch are dropped."""
        if con is not None:
            con.close()
        message = str(exc).lower()
        if "not a database" in message or "malformed" in message or "corrupt" in message:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                os.replace(self.path, aside)
                for suffix in ("-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                log.warning("the question log %s was corrupt; moved it to %s and started a new one", self.path, aside)
                return None
            except OSError as move_error:
                self._warn_once(
                    "corrupt", f"the question log {self.path} is corrupt and cannot be moved ({move_error})"
                )
                return None
        self._warn_once(message, f"cannot write the question log {self.path} ({exc}); answering goes on")
        return None

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message)


def open_log(index_dir: str | Path) -> QuestionLog | None:
    """The log for a corpus whose index is `index_dir`, or None when ``ARTICLE_QA_LOG=off``."""
    path = log_path(index_dir)
    return QuestionLog(path) if path is not None else None


def entries(path: str | Path, since: float | None = None) -> list[Entry]:
    """The logged questions, oldest first (asked at or after `since`, a Unix time, when given)."""
    if not Path(path).is_file():
        return []
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
    try:
        rows = con.execute(
            "SELECT id, asked_at, question, article, answered, confidence, missing, passages, took_ms, endpoint, "
            "rating FROM questions WHERE asked_at >= ? ORDER BY asked_at",
            (since or 0.0,),
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    finally:
        con.close()
    return [
        Entry(id=r[0], asked_at=r[1], question=r[2], article=r[3], answered=bool(r[4]), confidence=r[5],
              missing=json.loads(r[6]), passages=json.loads(r[7]), took_ms=r[8], endpoint=r[9], rating=r[10])
        for r in rows
    ]  # fmt: skip


def prune(path: str | Path, before: float) -> int:
    """Delete the rows asked before `before` (a Unix time); returns how many went."""
    con = connect(path)
    try:
        with con:
            gone = con.execute("DELETE FROM questions WHERE asked_at < ?", (before,)).rowcount
        con.execute("VACUUM")
        return gone
    finally:
        con.close()
