"""Statistics: events counted over time and between actors."""
