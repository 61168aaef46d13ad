"""Marshmallow schemas: what every record looks like on the wire, and the rules it obeys."""
