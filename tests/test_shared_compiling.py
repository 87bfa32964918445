"""The test apps' shared compiled parts are what each app would have compiled itself."""

from werkzeug.routing import Rule

from tests.helpers import make_test_app
from tests.shared_compiling import KeptBuilderRule


def _same_code(a, b) -> bool:
    a, b = a.__code__, b.__code__
    return (a.co_code, a.co_consts, a.co_names, a.co_varnames) == (
        b.co_code,
        b.co_consts,
        b.co_names,
        b.co_varnames,
    )


def test_every_rule_keeps_the_builder_werkzeug_compiles(tmp_path):
    make_test_app(f"sqlite:///{tmp_path / 'first.sqlite'}")  # fills the process's builders
    app = make_test_app(f"sqlite:///{tmp_path / 'second.sqlite'}")
    rules = list(app.url_map.iter_rules())
    assert rules and all(isinstance(rule, KeptBuilderRule) for rule in rules)
    for rule in rules:
        for append_unknown, kept in ((False, rule._build), (True, rule._build_unknown)):
            fresh = Rule._compile_builder(rule, append_unknown)
            assert _same_code(kept.__func__, fresh), rule.rule


def test_urls_built_with_kept_builders(tmp_path):
    for name in ("a", "b"):
        app = make_test_app(f"sqlite:///{tmp_path / name}.sqlite")
        with app.test_request_context():
            adapter = app.url_map.bind("localhost")
            assert adapter.build("parties.detail", {"party_id": 7}) == "/parties/7"
            assert adapter.build("parties.detail", {"party_id": 7, "q": "x y"}) == (
                "/parties/7?q=x+y"
            )
