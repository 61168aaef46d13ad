"""Tokens: who may write, and who may manage tokens."""
