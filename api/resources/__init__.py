"""One package per resource: its views (HTTP, no SQL) and its store (its Record and its SQL)."""
