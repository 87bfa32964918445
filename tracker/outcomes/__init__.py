"""Recording, from a meeting's page, what it decided for each agreement discussed."""
