"""Need-to-know: named groups of users, and the access lists of agreements."""
