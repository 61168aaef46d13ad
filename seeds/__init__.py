"""Seed data: articles and the structured records drawn from them, and their loader."""
