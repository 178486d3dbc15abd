"""Everything Qt: the application, the main window, one package per screen, item models."""
