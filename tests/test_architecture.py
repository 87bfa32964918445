"""The layers of docs/architecture.md, checked: each part of tracker/ imports only what it may.

models (the domain) at the bottom; data and render on it; web on those; the features on
top, and the command line above them; tracker/__init__.py (create_app) puts it all together.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "tracker"
BELOW_FEATURES = {"models", "extensions", "data", "render", "web"}
# What each layer may import from tracker; "features" means any feature package.
MAY_IMPORT = {
    "models": {"models"},
    "extensions": {"models"},
    "config": set(),
    "data": {"models", "extensions", "data"},
    "render": {"models", "render"},
    "web": {"models", "extensions", "data", "render", "web"},
    "api": {"models", "extensions", "data", "render", "web", "api"},
    "features": {"models", "extensions", "data", "render", "web", "api", "features"},
    "cli": {
        "models", "extensions", "data", "render", "web", "api", "features", "cli", "create_app"
    },
}


def _layer(parts: tuple[str, ...]) -> str:
    """The layer of a module named by its parts after ``tracker``."""
    if not parts or parts[0] in ("__init__", "wsgi", "gunicorn_conf"):
        return "create_app"
    first = parts[0].removesuffix(".py")
    if first in MAY_IMPORT:
        return first
    return "features"


def _imports(path: Path) -> list[tuple[int, tuple[str, ...]]]:
    """(line, module parts after ``tracker``) of every import of tracker, nested ones too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = node.module.split(".")
            if names[0] == "tracker":
                if len(names) == 1:  # from tracker import create_app / from tracker import x
                    for alias in node.names:
                        found.append((node.lineno, (alias.name,)))
                else:
                    found.append((node.lineno, tuple(names[1:])))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names = alias.name.split(".")
                if names[0] == "tracker":
                    found.append((node.lineno, tuple(names[1:])))
    return found


def _feature(parts: tuple[str, ...]) -> str | None:
    return parts[0] if _layer(parts) == "features" else None


def test_each_layer_imports_only_the_layers_below_it():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        layer = _layer(parts)
        if layer == "create_app":
            continue
        for line, imported in _imports(path):
            target = "create_app" if imported == ("create_app",) else _layer(imported)
            module = "tracker." + ".".join(imported)
            where = f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}"
            if target not in MAY_IMPORT[layer]:
                problems.append(f"{where} ({layer} may not use {target})")
            # A feature uses another's queries and services, never its pages.
            elif (
                layer == "features"
                and _feature(imported) not in (None, _feature(parts))
                and imported[-1] == "views"
            ):
                problems.append(f"{where} (another feature's views)")
    assert not problems, "\n".join(problems)


def test_the_layer_check_sees_a_forbidden_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from tracker.web.auth import role_required\n")
    assert _imports(module) == [(2, ("web", "auth"))]
    assert "web" not in MAY_IMPORT[_layer(("models", "bad"))]
