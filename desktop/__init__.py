"""Pillars without Qt: domain rules, services over a database session, reports, the command line."""
