"""Locations: countries, regions, towns, facilities, airspace and front lines."""
