"""Database problems a person can act on, each with a one-line message that names the problem."""


class DatabaseProblem(Exception):
    """Raised instead of a driver traceback. `str(exc)` is the message to show."""


class DatabaseMissing(DatabaseProblem):
    pass


class DatabaseLocked(DatabaseProblem):
    pass


class DatabaseUnreachable(DatabaseProblem):
    pass


class DatabaseSignInRefused(DatabaseUnreachable):
    """The server refused the credentials: a wrong password, or no such role."""


class SchemaTooNew(DatabaseProblem):
    pass


class SchemaOutOfDate(DatabaseProblem):
    pass


class NotAPillarsDatabase(DatabaseProblem):
    pass
