"""Action items of an agreement: what someone has to do next."""
