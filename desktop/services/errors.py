"""Errors a service raises for a person to read. `str(error)` is the whole message; nothing was
changed when one is raised."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def _london(at: dt.datetime) -> dt.datetime:
    return at.astimezone(LONDON) if at.tzinfo is not None else at


class ServiceError(Exception):
    """Base: a refusal or problem the user can act on."""


class PermissionRefused(ServiceError):
    pass


class NotFound(ServiceError):
    pass


@dataclass(frozen=True)
class FieldError:
    """One field a save refused, inside ValidationFailed: the screen shows `message` beside that
    field and keeps what was typed."""

    field: str  # the edit dataclass's field name, e.g. "postcode"
    message: str  # a sentence for the person, e.g. "ZZ1 is not a full UK postcode"


class ValidationFailed(ServiceError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field.replace('_', ' ')}: {e.message}" for e in errors))


class EditConflict(ServiceError):
    """Someone saved the same record since it was loaded; nothing of this save was written."""

    def __init__(self, what: str, changed_by: str, changed_at: dt.datetime | None) -> None:
        self.changed_by = changed_by
        self.changed_at = changed_at
        when = f" at {_london(changed_at).strftime('%H:%M on %d/%m/%Y')}" if changed_at else ""
        super().__init__(
            f"{changed_by} changed this {what}{when} after you opened it. Nothing of yours was "
            "saved over it: reload to see their change, then make yours again."
        )


class SignInRefused(ServiceError):
    pass


class AccountLocked(SignInRefused):
    def __init__(self, until: dt.datetime) -> None:
        self.until = until
        super().__init__(
            "This account is locked after too many failed sign-ins. Try again after "
            f"{_london(until).strftime('%H:%M')}, or ask an administrator to unlock it."
        )
