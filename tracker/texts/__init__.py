"""Negotiating texts of an agreement: revisions, provisions, brackets and proposals."""
