"""`make lint`'s size rule: every module of the app under 300 lines and every function under
60, so each can be read in one sitting (issue 15).

A function's length runs from its first decorator to its last line, nested functions
included. Migrations are exempt: they are history, never edited once released. An exception
passes only if it is in ALLOWED below with its reason; an entry that is no longer needed is
reported too, so the list only shrinks."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
EXEMPT = ("rhc_app/store/migrations/",)

# "path" for a module, "path:function" for a function -> why it may be longer, for now.
ALLOWED: dict[str, str] = {
}


def _functions(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """(qualified name, length in lines) of every function, methods and nested ones too."""
    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                yield prefix + child.name, (child.end_lineno or child.lineno) - start + 1
                yield from walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)
    yield from walk(tree, "")


def oversized(root: Path = ROOT, package: str = "rhc_app") -> dict[str, str]:
    """Every module and function over its limit: "path[:function]" -> what is too long."""
    found: dict[str, str] = {}
    for path in sorted((root / package).rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name.startswith(EXEMPT):
            continue
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            found[name] = f"{lines} lines (at most {MAX_MODULE_LINES})"
        for function, length in _functions(ast.parse(text, filename=name)):
            if length > MAX_FUNCTION_LINES:
                found[f"{name}:{function}"] = f"{length} lines (at most {MAX_FUNCTION_LINES})"
    return found


def problems(root: Path = ROOT, allowed: dict[str, str] | None = None) -> str | None:
    """What `make lint` reports: sizes over the limits not allowed, and stale allowances."""
    allowed = ALLOWED if allowed is None else allowed
    found = oversized(root)
    out = [f"{where}: {what}" for where, what in found.items() if where not in allowed]
    out += [f"{where}: allowed in tools/sizes.py but no longer too long: remove it"
            for where in allowed if where not in found]
    return "\n".join(out) or None
