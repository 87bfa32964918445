"""The blueprint every API resource is made with: flask-smorest's, refusing what it does not
know in the query string too."""

from __future__ import annotations

import flask_smorest
from webargs.flaskparser import FlaskParser


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint, whose arguments are read without webargs' default of
    dropping query arguments it does not know: each schema's own rule applies (marshmallow
    refuses unknown fields), so a misspelt filter (``?stauts=signed``) is a 422 naming it,
    as an unknown field of a JSON body is, rather than a list that silently ignores it."""

    ARGUMENTS_PARSER = FlaskParser(unknown=None)
