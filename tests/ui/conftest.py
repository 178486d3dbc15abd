"""Fixtures for the desktop app's tests: the synthetic world in a fresh database, services on it,
and an application context with its own settings file and background runner.

UI tests run on SQLite; the ones about two desktops sharing a database also run on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from desktop.services.core import Services
from tests.desktop.factories import PASSWORD, World, populate, world_clock
from ui.app import apply_style
from ui.background import BackgroundRunner
from ui.context import AppContext

UI_TESTS = Path(__file__).parent

# The offscreen platform plugin says these whenever a top-level window with a layout is shown or
# raised; they are about the plugin, not the app, and would fail every test under
# qt_log_level_fail = WARNING.
OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise)\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if UI_TESTS in Path(item.path).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, extend=True))


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """UI tests need one database; tests about two desktops parametrize `backend` themselves."""
    return request.param


@pytest.fixture(autouse=True)
def _styled(qapp: QApplication) -> None:
    """The real stylesheet, so a stylesheet Qt cannot parse fails the tests (as a Qt warning)."""
    if not qapp.property("pillarsStyled"):
        apply_style(qapp)
        qapp.setProperty("pillarsStyled", True)


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "pillars-settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_ctx(settings: QSettings, db_url: str) -> Iterator[Callable[..., AppContext]]:
    """AppContexts sharing nothing but the settings; each one's runner is shut down after the
    test, before its services are closed by their own fixture."""
    made: list[AppContext] = []

    def make(services: Services | None = None, username: str | None = None) -> AppContext:
        ctx = AppContext(
            settings=settings, runner=BackgroundRunner(), url=db_url, services=services
        )
        if username is not None:
            assert services is not None
            ctx.actor = services.auth.sign_in(username, PASSWORD)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.runner.shutdown()


@pytest.fixture
def ctx(services: Services, make_ctx: Callable[..., AppContext]) -> AppContext:
    """Signed in as Ada, an offender manager in Alder team."""
    return make_ctx(services, "ada")
