"""Deletions: the records deleted, so that a copy of the data can drop them."""
