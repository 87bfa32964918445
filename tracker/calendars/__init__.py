"""Meetings as iCalendar (.ics) files for Outlook, Google Calendar and Apple Calendar."""
