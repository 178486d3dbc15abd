"""The monthly performance dashboard screen (issue #8 item 4)."""
