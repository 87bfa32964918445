"""The main navigation: (endpoint, label) in menu order."""

NAVIGATION: list[tuple[str, str]] = [
    ("dashboard.index", "Dashboard"),
    ("agreements.index", "Agreements"),
    ("meetings.index", "Meetings"),
    ("parties.index", "Parties"),
    ("people.index", "People"),
]
