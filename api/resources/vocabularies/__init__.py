"""Vocabularies: the controlled words records use, for a front end's pickers."""
