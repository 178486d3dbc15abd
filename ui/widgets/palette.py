"""The few colours that carry meaning. Each is always paired with a word, never alone."""

FOREGROUND = {
    "alert": "#a4001d",  # overdue, breach: 7.4:1 on white
    "warn": "#7a4100",  # due soon, warning: 7.6:1 on white
    "muted": "#50565c",
    "ok": "#1d5e20",
}
BACKGROUND = {
    "alert": "#fde8eb",
    "warn": "#fff3dc",
}
