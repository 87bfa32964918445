"""Renderers over plain values: SVG pictures, PDF layout, CSV and iCalendar. No database, no
requests."""
