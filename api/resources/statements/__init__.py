"""Statements: what actors said, to whom, about which events, on whose report."""
