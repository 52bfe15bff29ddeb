"""The app's PostgreSQL connections run without parallel workers (their start-up cost more
than they saved on the app's short statements), and only the app's: the server keeps its
own setting for everyone else."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="a PostgreSQL setting")


def _setting(session_or_conn) -> str:  # type: ignore[no-untyped-def]
    return session_or_conn.execute(text("SHOW max_parallel_workers_per_gather")).scalar_one()


def test_the_app_s_connections_plan_no_parallel_workers(app):
    database = app.extensions["rhc_database"]
    with database.factory() as session:
        assert _setting(session) == "0"
        session.rollback()  # a connection back in the pool keeps it
    with database.factory() as session:
        assert _setting(session) == "0"
    with database.engine.connect() as conn:  # a fresh one, when the pool grows
        conn.invalidate()
    with database.engine.connect() as conn:
        assert _setting(conn) == "0"


def test_the_server_s_own_setting_is_left_alone(app):
    url = app.extensions["rhc_database"].engine.url
    with psycopg.connect(host=url.host, port=url.port, user=url.username,
                         password=url.password, dbname=url.database) as other:
        assert other.execute("SHOW max_parallel_workers_per_gather").fetchone()[0] != "0"
