"""Admin pages for staff accounts."""
