"""Meetings: when and where, who attended, and what each agreement got out of them."""
