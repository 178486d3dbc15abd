"""Pillars' data layer: typed SQLAlchemy models, the engine and session factory, migrations.

Nothing here knows about Qt or about the application's rules; `desktop.services` builds use cases
on top of it.
"""
