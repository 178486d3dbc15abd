"""The problems a screen may catch by name without importing the database layer: a database that
is missing, locked, unreachable or of another schema version, and every service refusal."""

from db.errors import DatabaseProblem
from desktop.services.errors import (
    AccountLocked,
    EditConflict,
    NotFound,
    PermissionRefused,
    ServiceError,
    SignInRefused,
    ValidationFailed,
)

__all__ = [
    "AccountLocked",
    "DatabaseProblem",
    "EditConflict",
    "NotFound",
    "PermissionRefused",
    "ServiceError",
    "SignInRefused",
    "ValidationFailed",
]
