"""The portfolio: every agreement's standing on one page, as CSV and as PDF."""
