"""The Safeguarding screen and the PPN dialogs (issue #7)."""
