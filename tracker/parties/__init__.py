"""Parties: the states, organisations and groupings that negotiate agreements."""
