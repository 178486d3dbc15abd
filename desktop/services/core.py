"""`Services`: one object holding the database and every use case, for the app and the CLI.

Each method of each service opens its own short session and transaction, so it may be called from
any thread (the desktop runs them off the GUI thread) and never holds a lock between calls.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.orm import Session

from db import engine as db_engine
from db import schema

if TYPE_CHECKING:
    from desktop.services.accounts import AccountService
    from desktop.services.approvals import ApprovalService
    from desktop.services.assessments import AssessmentService
    from desktop.services.audit import AuditService
    from desktop.services.auth import AuthService
    from desktop.services.caseload import CaseloadService
    from desktop.services.daily import DailyService
    from desktop.services.dashboard import DashboardService
    from desktop.services.due import DueService
    from desktop.services.hub import HubService
    from desktop.services.importer import ImportService
    from desktop.services.inbox import InboxService
    from desktop.services.mappa import MappaService
    from desktop.services.plans import PlanService
    from desktop.services.ppns import PpnService
    from desktop.services.records import RecordService
    from desktop.services.scrutiny import ScrutinyService
    from desktop.services.stats import StatsService
    from desktop.services.team import TeamService
    from desktop.services.users import UserService
    from desktop.services.visits import VisitService

log = logging.getLogger("pillars.services")

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def take_write_lock(session: Session) -> None:
    """On SQLite, take the database's write lock now, waiting out the busy timeout.

    A SQLite transaction that has read and then tries to write, after another writer committed,
    fails at once with "database is locked" (its snapshot is stale; the busy wait does not
    apply). Work that reads and then decides (an approval, the audit chain's tail) calls this as
    its first statement so that it waits its turn instead. PostgreSQL needs nothing: its row
    locks and the version columns settle races there.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE audit_event SET id = id WHERE id < 0"))


class Services:
    """Open with a database URL. Raises db.errors.DatabaseProblem (a one-line message) when the
    database is missing, locked, unreachable, or of another schema version than this code."""

    def __init__(self, url: str, *, clock: Clock = utc_now, check_schema: bool = True) -> None:
        self.url = url
        self.location = db_engine.describe(url)
        self.clock = clock
        self.engine = db_engine.make_engine(url)
        try:
            with db_engine.translated_errors(url):
                if check_schema:
                    schema.check_current(self.engine, self.location)
        except Exception:
            self.engine.dispose()
            raise
        self._factory = db_engine.session_factory(self.engine)

    # Each service is built, and its module imported, the first time it is used: signing in
    # needs two of them, and start-up should not pay for the rest.

    @cached_property
    def accounts(self) -> AccountService:
        from desktop.services.accounts import AccountService

        return AccountService(self)

    @cached_property
    def audit(self) -> AuditService:
        from desktop.services.audit import AuditService

        return AuditService(self)

    @cached_property
    def auth(self) -> AuthService:
        from desktop.services.auth import AuthService

        return AuthService(self)

    @cached_property
    def caseload(self) -> CaseloadService:
        from desktop.services.caseload import CaseloadService

        return CaseloadService(self)

    @cached_property
    def records(self) -> RecordService:
        from desktop.services.records import RecordService

        return RecordService(self)

    @cached_property
    def stats(self) -> StatsService:
        from desktop.services.stats import StatsService

        return StatsService(self)

    @cached_property
    def users(self) -> UserService:
        from desktop.services.users import UserService

        return UserService(self)

    @cached_property
    def assessments(self) -> AssessmentService:
        from desktop.services.assessments import AssessmentService

        return AssessmentService(self)

    @cached_property
    def plans(self) -> PlanService:
        from desktop.services.plans import PlanService

        return PlanService(self)

    @cached_property
    def mappa(self) -> MappaService:
        from desktop.services.mappa import MappaService

        return MappaService(self)

    @cached_property
    def approvals(self) -> ApprovalService:
        from desktop.services.approvals import ApprovalService

        return ApprovalService(self)

    @cached_property
    def visits(self) -> VisitService:
        from desktop.services.visits import VisitService

        return VisitService(self)

    @cached_property
    def inbox(self) -> InboxService:
        from desktop.services.inbox import InboxService

        return InboxService(self)

    @cached_property
    def hub(self) -> HubService:
        from desktop.services.hub import HubService

        return HubService(self)

    @cached_property
    def due(self) -> DueService:
        from desktop.services.due import DueService

        return DueService(self)

    @cached_property
    def team(self) -> TeamService:
        from desktop.services.team import TeamService

        return TeamService(self)

    @cached_property
    def ppns(self) -> PpnService:
        from desktop.services.ppns import PpnService

        return PpnService(self)

    @cached_property
    def scrutiny(self) -> ScrutinyService:
        from desktop.services.scrutiny import ScrutinyService

        return ScrutinyService(self)

    @cached_property
    def importer(self) -> ImportService:
        from desktop.services.importer import ImportService

        return ImportService(self)

    @cached_property
    def dashboard(self) -> DashboardService:
        from desktop.services.dashboard import DashboardService

        return DashboardService(self)

    @cached_property
    def daily(self) -> DailyService:
        from desktop.services.daily import DailyService

        return DailyService(self)

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        """Today in Europe/London, the day the users live in."""
        from zoneinfo import ZoneInfo

        return self.clock().astimezone(ZoneInfo("Europe/London")).date()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on error.
        Driver errors about reaching or locking the database become DatabaseProblem."""
        with db_engine.translated_errors(self.url), self._factory() as session, session.begin():
            yield session

    def ping(self) -> None:
        """One round trip to the database; raises DatabaseProblem (db.engine.ServerGone while
        the server cannot be reached). The engine's pre-ping replaces a connection the server
        dropped, so the next call after a restart works."""
        with self.transaction() as session:
            session.execute(text("SELECT 1"))

    def close(self) -> None:
        self.engine.dispose()
