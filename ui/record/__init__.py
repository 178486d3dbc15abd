"""An offender's record: its window, its tabs and the dialogs that edit it."""
