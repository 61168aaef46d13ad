"""Events: what happened, with its participants, place and citations."""
