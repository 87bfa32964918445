"""Data access below the features: how sessions and transactions behave, full-text search,
values cached until the data changes, and the audit trail."""
