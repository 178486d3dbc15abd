"""Use cases over a Session: permission checks, audit and transactions live here."""
