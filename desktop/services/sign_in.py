"""Signing in to a shared PostgreSQL database as the officer's own login role (issue #9).

The desktops' setting (`PILLARS_DB_URL` or `--db`) names the server and the database but no user:
`postgresql+psycopg://db.example.police.invalid/pillars`. Each officer then connects with their
own name and password, so the server itself checks them and its row-level security (migration
0003) shows only what their Pillars role may read: the app can show no more than a direct
connection with the same credentials would. The role name is the username in lower case, and
`pillars user add` / `pillars user password` give the role the officer's Pillars password: one
password for both.

This module imports nothing heavy: the sign-in dialog asks `signs_in_as_officer` before the
database (and SQLAlchemy) is loaded.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from desktop.services.core import Services

log = logging.getLogger("pillars.services")


def signs_in_as_officer(url: str | None) -> bool:
    """Whether the app connects to `url` as each officer's own login role: a PostgreSQL URL
    that names no user."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.split("+")[0] in ("postgresql", "postgres") and not parts.username


def open_as_officer(url: str, username: str, password: str) -> Services:
    """`Services` over the officer's own connection to the shared database at `url`. A password
    or username the server refuses is SignInRefused in the same words as a wrong Pillars
    password, so the message never tells which usernames exist; other problems (unreachable, a
    schema out of date) are DatabaseProblem. The caller signs in with the same name and password
    next (`services.auth.sign_in`, which counts failures and audits), and closes the Services
    when done."""
    from db import engine as db_engine
    from db.errors import DatabaseProblem, DatabaseSignInRefused
    from desktop.services.auth import WRONG_CREDENTIALS
    from desktop.services.core import Services
    from desktop.services.database import role_name
    from desktop.services.errors import SignInRefused

    try:
        name = role_name(username)
    except DatabaseProblem:
        raise SignInRefused(WRONG_CREDENTIALS) from None
    officer = db_engine.parse_url(url).set(username=name, password=password)
    try:
        return Services(officer.render_as_string(hide_password=False))
    except DatabaseSignInRefused:
        # not the name: people type their password into the username box
        log.warning("the database server refused a sign-in")
        raise SignInRefused(WRONG_CREDENTIALS) from None
