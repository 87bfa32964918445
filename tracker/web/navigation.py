"""The main navigation: (endpoint, label) in menu order."""

from tracker.models import Role

NAVIGATION: list[tuple[str, str]] = [
    ("dashboard.index", "Dashboard"),
    ("agreements.index", "Agreements"),
    ("portfolio.index", "Portfolio"),
    ("meetings.index", "Meetings"),
    ("parties.index", "Parties"),
    ("people.index", "People"),
    ("users.index", "Users"),
    ("audit.index", "Audit"),
    ("access_log.index", "Access log"),
]

# Entries only some roles see; the others are for everyone logged in.
NAVIGATION_ROLES: dict[str, Role] = {"users.index": Role.ADMIN, "audit.index": Role.ADMIN}

# Entries only security officers see, whatever their role.
NAVIGATION_OFFICERS: frozenset[str] = frozenset({"access_log.index"})
