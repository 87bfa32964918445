"""What every test app would otherwise compile again: URL builders and templates.

The suite makes a new app for each of its ~3,000 tests (and extra ones), and each app compiled
its ~165 URL rules' builders (werkzeug turns each rule into Python source and compiles it:
two thirds of making an app) and every template its tests drew. Both are pure functions of
their input, so one worker keeps what it compiled and every later app reuses it; the apps
stay separate in everything else (config, extensions, caches, database).
"""

from __future__ import annotations

from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.routing import Rule

from tracker.web.security import TrackerFlask

# A rule's builder is compiled from what werkzeug reads of the rule: its text, its parsed
# parts, the names of its defaults and whether it appends unknown arguments as a query
# string. A default that fills a part of the URL is put into the code as text, so such a
# rule is compiled anew.
_BUILDERS: dict[tuple, Any] = {}


class KeptBuilderRule(Rule):
    """A werkzeug rule whose URL builder is compiled once per process for all apps."""

    def _compile_builder(self, append_unknown: bool = True):
        defaults = self.defaults or {}
        if any(dynamic and name in defaults for dynamic, name in self._trace):
            return super()._compile_builder(append_unknown)
        key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
        builder = _BUILDERS.get(key)
        if builder is None:
            builder = _BUILDERS[key] = super()._compile_builder(append_unknown)
        return builder


class KeptTemplates(BytecodeCache):
    """Templates' compiled code kept in memory for every app of the process. Jinja checks
    each against a checksum of the template's source, so a changed template is compiled
    again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


# One per set of the environment's options that change the compiled code, in case a test
# makes an app whose templates are compiled differently.
_TEMPLATES: dict[tuple, KeptTemplates] = {}
_COMPILING_OPTIONS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
    "autoescape",
    "finalize",
    "undefined",
    "code_generator_class",
    "context_class",
)


def _function(value):
    # A method bound to one app (Flask's autoescape choice, its tojson filter) is the same
    # function for every app.
    return getattr(value, "__func__", value)


def share_templates(app) -> None:
    """Give ``app``'s Jinja environment the process's compiled templates, those compiled
    with the same options, extensions, filters and tests (the compiler reads how a filter
    is called, and may call it on constants)."""
    env = app.jinja_env
    options = tuple(_function(getattr(env, name, None)) for name in _COMPILING_OPTIONS)
    options += (
        tuple(sorted(env.extensions)),
        tuple(sorted((name, _function(f)) for name, f in env.filters.items())),
        tuple(sorted((name, _function(f)) for name, f in env.tests.items())),
    )
    env.bytecode_cache = _TEMPLATES.setdefault(options, KeptTemplates())


def install() -> None:
    """Every app the test process makes keeps its URL builders in common."""
    TrackerFlask.url_rule_class = KeptBuilderRule
