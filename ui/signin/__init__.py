"""Signing in: username and password against the officers table, via services.auth."""
