"""Reading the audit trail: a record's history, and the admins' audit page with its CSV export."""
