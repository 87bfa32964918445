"""People: the officials and negotiators of each party."""
