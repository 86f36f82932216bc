"""The run store's SQLite schema, its version, and the migrations that bring an older file up to date.

A store file carries ``PRAGMA application_id = APPLICATION_ID`` and ``PRAGMA user_version = SCHEMA_VERSION``; a
file with another application id, or with tables but no id, is someone else's database and is never touched.
"""
from __future__ import annotations

import sqlite3

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "MIGRATIONS", "migrate"]

APPLICATION_ID = 0x6E6E6C62          # "nnlb"
SCHEMA_VERSION = 1

# MIGRATIONS[v] brings a store from version v to v + 1. Version 0 is an empty file.
MIGRATIONS: dict[int, str] = {
    0: """
    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        name        TEXT,                     -- free label, e.g. the output directory
        sweep_id    TEXT,                     -- set for sweep trials
        status      TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
        config      TEXT NOT NULL,            -- RunConfig JSON
        dataset     TEXT,                     -- copied out of the config for filtering
        seed        INTEGER,
        tags        TEXT NOT NULL DEFAULT '[]',   -- JSON list of strings
        versions    TEXT NOT NULL DEFAULT '{}',   -- JSON: python, torch, numpy, nnlab, ...
        final       TEXT NOT NULL DEFAULT '{}',   -- JSON: final metrics
        error       TEXT,                     -- for failed runs
        started_at  REAL NOT NULL,            -- unix seconds
        ended_at    REAL,
        host        TEXT,                     -- where the writing process runs ...
        pid         INTEGER                   -- ... and which process, to find runs left 'running' by a kill
    );
    CREATE TABLE metrics (
        run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch   INTEGER NOT NULL,
        name    TEXT NOT NULL,                -- loss, train_accuracy, test_loss, ...
        value   REAL,                         -- NULL for NaN
        PRIMARY KEY (run_id, name, epoch)
    ) WITHOUT ROWID;
    CREATE TABLE artifacts (
        run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind    TEXT NOT NULL,                -- figure, config, history, weights, tensorboard
        path    TEXT NOT NULL,
        PRIMARY KEY (run_id, path)
    );
    CREATE INDEX runs_status ON runs(status);
    CREATE INDEX runs_sweep ON runs(sweep_id);
    """,
}


def migrate(conn: sqlite3.Connection, current: int) -> None:
    """Apply every migration from ``current`` up to SCHEMA_VERSION in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the write lock.
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        for version in range(current, SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit the open transaction)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
