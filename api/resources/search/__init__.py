"""Search: the best hits of every kind of record for one q."""
