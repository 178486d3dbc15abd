"""The ViSOR hub's dialogs: entering a statutory notification and processing it."""
