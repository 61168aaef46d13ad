"""Actors: states, governments, forces, organisations and people."""
