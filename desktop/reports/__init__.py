"""Printed documents (reportlab): the scrutiny pack, the dashboard, the daily meeting sheet."""
