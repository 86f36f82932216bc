"""The run store: every training run, its config, status, per-epoch metrics and artifacts, in one SQLite file.

Several processes may write at once: the file is in WAL mode, every write is a short transaction, and a writer
waits (``busy_timeout``) rather than failing when another holds the lock. A file that is not an nnlab store
(corrupt, or another program's database) raises :class:`RunStoreError` and is never modified.
"""
from __future__ import annotations

import builtins
import json
import math
import os
import socket
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nnlab._validation import InvalidArgument, check_seed
from nnlab.runs.schema import APPLICATION_ID, SCHEMA_VERSION, migrate

__all__ = ["RunStore", "RunStoreError", "Run", "STATUSES", "default_store_path"]

STATUSES = ("running", "finished", "failed", "interrupted")
_SQLITE_INTEGERS = range(-2**63, 2**63)      # an id outside SQLite's 64-bit integers cannot name a run
FILENAME = "runs.sqlite"
BUSY_TIMEOUT_MS = 60_000



def _finite(value) -> float | None:
    """A metric as stored: a float, or NULL for NaN, inf and None."""
    return float(value) if value is not None and math.isfinite(value) else None

class RunStoreError(InvalidArgument):
    """The store cannot be opened: unreadable, corrupt, foreign, or newer than this nnlab."""

    def __init__(self, message: str):
        super().__init__(message, "store")


def default_store_path() -> Path:
    """``$NNLAB_STORE`` if set, else ``./nnlab-runs``."""
    return Path(os.environ.get("NNLAB_STORE", "nnlab-runs"))


@dataclass(frozen=True)
class Run:
    """One row of the store, with its JSON fields decoded."""
    id: int
    name: str | None
    sweep_id: str | None
    status: str
    config: dict
    dataset: str | None
    seed: int | None
    tags: list
    versions: dict
    final: dict
    error: str | None
    started_at: float
    ended_at: float | None
    host: str | None
    pid: int | None

    @property
    def duration_s(self) -> float | None:
        return None if self.ended_at is None else self.ended_at - self.started_at


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:      # alive, owned by someone else
        return True
    return True


class RunStore:
    """Open (creating if needed) the store in directory ``path`` (the file is ``path/runs.sqlite``).

    Opening also marks as interrupted every run left 'running' by a process of this host that no longer exists.
    """

    def __init__(self, path: str | Path | None = None):
        self.dir = Path(path) if path is not None else default_store_path()
        self.file = self.dir / FILENAME if self.dir.suffix != ".sqlite" else self.dir
        self.conn = self._open()
        self.recover_stale()

    def __repr__(self) -> str:
        return f"RunStore({str(self.file)!r})"

    # -- opening ----------------------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise RunStoreError(f"cannot create the run store directory '{self.file.parent}': {err.strerror}.") \
                from None
        if self.file.exists() and self.file.stat().st_size > 0:
            with open(self.file, "rb") as fh:
                if fh.read(16) != b"SQLite format 3\x00":
                    raise RunStoreError(f"'{self.file}' is not an nnlab run store (not an SQLite file); "
                                        "it was left untouched. Use --store to choose another location.")
        try:
            conn = sqlite3.connect(self.file, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as err:
            raise RunStoreError(f"'{self.file}' cannot be read as an nnlab run store ({err}); it was left "
                                "untouched.") from None
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables > 0):
            conn.close()
            raise RunStoreError(f"'{self.file}' is another program's SQLite database, not an nnlab run store; "
                                "it was left untouched. Use --store to choose another location.")
        if version > SCHEMA_VERSION:
            conn.close()
            raise RunStoreError(f"'{self.file}' has schema version {version}, newer than this nnlab understands "
                                f"({SCHEMA_VERSION}). Upgrade nnlab.")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        if version < SCHEMA_VERSION:
            migrate(conn, version)
        return conn

    @classmethod
    def open_writable(cls, path: str | Path | None = None) -> RunStore:
        """Open the store and prove it takes writes (closed again if not); RunStoreError naming it otherwise."""
        store = cls(path)
        try:
            return store.check_writable()
        except BaseException:
            store.close()
            raise

    def check_writable(self) -> RunStore:
        """Prove the store takes writes (take and release the write lock); RunStoreError naming it if not."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute("ROLLBACK")
        except sqlite3.Error as err:
            raise RunStoreError(f"cannot write to the run store '{self.file}' ({err}); choose another "
                                "directory for it.") from None
        return self

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write(self, sql: str, params=()) -> sqlite3.Cursor:
        """One statement in its own short write transaction."""
        return self.conn.execute(sql, params)

    # -- runs -------------------------------------------------------------------------------------------------
    def start_run(self, config: dict, *, name: str | None = None, sweep_id: str | None = None,
                  tags: Sequence[str] = (), versions: dict | None = None) -> int:
        """Record a new run as 'running'; returns its id.

        The config's ``train.seed`` (if any) must be a seed as the configs take it, an integer in [0, MAX_SEED]:
        the store keeps it in a 64-bit column for filtering, besides the config JSON.
        """
        seed = config.get("train", {}).get("seed")
        if seed is not None:
            check_seed("seed", seed, "RunStore.start_run")
        cur = self._write(
            "INSERT INTO runs (name, sweep_id, status, config, dataset, seed, tags, versions, started_at, host, pid)"
            " VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, sweep_id, json.dumps(config), config.get("data", {}).get("dataset"), seed,
             json.dumps(list(tags)), json.dumps(versions or {}), time.time(), socket.gethostname(), os.getpid()))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def log_metrics(self, run_id: int, rows: list[tuple[int, str, float]]) -> None:
        """Insert (epoch, name, value) rows in one transaction; NaN and inf are stored as NULL."""
        series: dict[str, list[tuple[int, float | None]]] = {}
        for e, k, v in rows:
            series.setdefault(k, []).append((int(e), v))
        with self._transaction():
            for name, points in series.items():
                points.sort()
                first = points[0][0]
                if all(e == first + i for i, (e, _) in enumerate(points)):
                    self._insert_series(run_id, name, first, [v for _, v in points])
                else:
                    self.conn.executemany("INSERT OR REPLACE INTO metrics (run_id, epoch, name, value) "
                                          "VALUES (?, ?, ?, ?)", [(run_id, e, name, _finite(v)) for e, v in points])

    def log_series(self, run_id: int, series: dict[str, list[float]], first_epoch: int = 1) -> None:
        """Insert each metric's values for the consecutive epochs from ``first_epoch`` on, in one transaction."""
        with self._transaction():
            for name, values in series.items():
                if len(values):
                    self._insert_series(run_id, name, first_epoch, values)

    def _insert_series(self, run_id: int, name: str, first: int, values) -> None:
        """One metric's consecutive epochs as one JSON array that SQLite unpacks itself (``json_each``; a float's
        shortest repr reads back as the same double): thousands of rows at little cost in Python time."""
        self.conn.execute("INSERT OR REPLACE INTO metrics (run_id, epoch, name, value) "
                          "SELECT ?, key + ?, ?, value FROM json_each(?)",
                          (run_id, first, name, json.dumps([_finite(v) for v in values])))

    def add_artifacts(self, run_id: int, items: list[tuple[str, str]]) -> None:
        """Record (kind, path) artifacts of a run."""
        with self._transaction():
            self.conn.executemany("INSERT OR REPLACE INTO artifacts (run_id, kind, path) VALUES (?, ?, ?)",
                                  [(run_id, kind, str(path)) for kind, path in items])

    def finish_run(self, run_id: int, status: str, final: dict | None = None, error: str | None = None) -> None:
        """Close a run with its final status and metrics."""
        if status not in STATUSES:
            raise InvalidArgument(f"The 'status' parameter must be one of {list(STATUSES)}. Got {status!r} instead.",
                                  "status")
        self._write("UPDATE runs SET status = ?, final = ?, error = ?, ended_at = ? WHERE id = ?",
                    (status, json.dumps(final or {}), error, time.time(), run_id))

    def recover_stale(self) -> list[int]:
        """Mark 'running' runs whose process on this host is gone as interrupted; returns their ids."""
        host = socket.gethostname()
        rows = self.conn.execute("SELECT id, pid FROM runs WHERE status = 'running' AND host = ?", (host,)).fetchall()
        stale = [rid for rid, pid in rows if pid is None or not _pid_alive(pid)]
        for rid in stale:
            self._write("UPDATE runs SET status = 'interrupted', ended_at = coalesce(ended_at, ?), "
                        "error = coalesce(error, 'the process that ran it ended without closing the run') "
                        "WHERE id = ? AND status = 'running'", (time.time(), rid))
        return stale

    def delete(self, run_ids: list[int]) -> int:
        """Delete runs with their metrics and artifact records (files on disk stay); returns how many."""
        with self._transaction():
            n = 0
            for rid in (r for r in run_ids if r in _SQLITE_INTEGERS):
                n += self.conn.execute("DELETE FROM runs WHERE id = ?", (rid,)).rowcount
        return n

    # -- reading ----------------------------------------------------------------------------------------------
    def get(self, run_id: int) -> Run:
        rows = self.list(ids=[run_id])
        if not rows:
            raise InvalidArgument(f"There is no run {run_id} in '{self.file}'.", "run")
        return rows[0]

    def list(self, *, status: str | None = None, dataset: str | None = None, tag: str | None = None,
             sweep_id: str | None = None, ids: list[int] | None = None) -> list[Run]:
        """Runs, newest first, filtered by status, dataset, tag, sweep or ids."""
        sql, params = "SELECT * FROM runs WHERE 1 = 1", builtins.list[object]()
        for column, value in (("status", status), ("dataset", dataset), ("sweep_id", sweep_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        if ids is not None:
            ids = [i for i in ids if i in _SQLITE_INTEGERS]
            sql += f" AND id IN ({','.join('?' * len(ids))})"
            params += ids
        rows = [self._run(r) for r in self.conn.execute(sql + " ORDER BY id DESC", params)]
        return [r for r in rows if tag is None or tag in r.tags]

    def metrics(self, run_id: int) -> dict[str, builtins.list[tuple[int, float]]]:
        """name -> [(epoch, value), ...] in epoch order; NULL comes back as NaN."""
        out: dict[str, builtins.list[tuple[int, float]]] = {}
        if run_id not in _SQLITE_INTEGERS:
            return out
        for epoch, name, value in self.conn.execute(
                "SELECT epoch, name, value FROM metrics WHERE run_id = ? ORDER BY name, epoch", (run_id,)):
            out.setdefault(name, []).append((epoch, math.nan if value is None else value))
        return out

    def artifacts(self, run_id: int) -> builtins.list[tuple[str, str]]:
        if run_id not in _SQLITE_INTEGERS:
            return []
        return self.conn.execute("SELECT kind, path FROM artifacts WHERE run_id = ? ORDER BY path",
                                 (run_id,)).fetchall()

    def _run(self, row) -> Run:
        (rid, name, sweep, status, config, dataset, seed, tags, versions, final, error, started, ended, host,
         pid) = row
        return Run(rid, name, sweep, status, json.loads(config), dataset, seed, json.loads(tags),
                   json.loads(versions), json.loads(final), error, started, ended, host, pid)

    def _transaction(self):
        return _Transaction(self.conn)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): takes the write lock up front, waiting for it if busy."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
