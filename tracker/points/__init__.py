"""Negotiation points of an agreement and each party's position on them."""
