"""The Visits screen: the week planner, what is due, and the dialogs that plan, move, cancel and
record a home visit."""
