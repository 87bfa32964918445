"""Fields the API's schemas share."""

from __future__ import annotations

import marshmallow as ma

from tracker.web.forms import clean_text


class Text(ma.fields.String):
    """A line of text, taken as the forms take it (their ``clean_text`` filter): without
    control characters or surrounding spaces, before its validators run, so a name of
    spaces is refused as empty (422) rather than saved blank."""

    def _deserialize(self, value, attr, data, **kwargs):
        return clean_text(super()._deserialize(value, attr, data, **kwargs))
