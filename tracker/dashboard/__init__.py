"""The home page: what needs attention today."""
