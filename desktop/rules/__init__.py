"""Pure domain rules: plain data in, plain data out. No database, no Qt."""
