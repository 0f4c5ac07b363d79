"""Prints the database URL `make bench` measures on, after making it empty.

The benchmarks' targets are set for PostgreSQL, where the system runs: a throwaway database
``casework_bench`` on the machine's PostgreSQL (127.0.0.1:5432, user postgres — what `.ci/run`
starts) is dropped and created again. When PostgreSQL does not answer, a throwaway SQLite file is
used and a note says so. ``BENCH_DATABASE_URL`` names another database; it is used as it is
(``manage.py bench`` refuses a database holding real cases)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "casework_bench"
SERVER = "postgres://postgres@127.0.0.1:5432"


def main() -> int:
    if os.environ.get("BENCH_DATABASE_URL"):
        print(os.environ["BENCH_DATABASE_URL"])
        return 0
    try:
        import psycopg

        with psycopg.connect(f"{SERVER}/postgres", connect_timeout=3, autocommit=True) as db:
            db.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
            db.execute(f"CREATE DATABASE {NAME}")
    except Exception as error:  # any failure means: no PostgreSQL to use
        reason = " ".join(str(error).split())[:100]
        path = ROOT / "var" / "bench.sqlite3"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        print(
            f"PostgreSQL does not answer at {SERVER} ({reason}): measuring on SQLite instead; "
            "the targets are set for PostgreSQL.",
            file=sys.stderr,
        )
        print(f"sqlite:///{path}")
        return 0
    print(f"{SERVER}/{NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
