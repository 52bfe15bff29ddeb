"""The size rule `make lint` applies (tools/sizes.py): modules over 300 lines and functions
over 60 are reported, decorators and nested functions counted, migrations exempt, and an
allowance that is no longer needed is reported as stale."""

from __future__ import annotations

from pathlib import Path

from tools import sizes


def _function(name: str, lines: int, indent: str = "", decorators: int = 0) -> str:
    """Source of a function exactly `lines` long, its decorators included."""
    body = lines - 1 - decorators
    return "".join([f"{indent}@staticmethod\n" * decorators, f"{indent}def {name}():\n",
                    *(f"{indent}    x_{i} = {i}\n" for i in range(body))])


def _app(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "rhc_app" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_modules_and_functions_over_the_limits_are_found_and_at_the_limits_are_not(tmp_path):
    root = _app(tmp_path, {
        "long.py": "x = 1\n" * 301,
        "just_fits.py": "x = 1\n" * 300,
        "funcs.py": _function("fits", 60) + _function("too_long", 61),
        "methods.py": "class Box:\n" + _function("decorated", 61, "    ", decorators=2)
                      + _function("plain", 59, "    "),
        "nested.py": "def outer():\n" + _function("inner", 61, "    ") + "    return inner\n",
        "store/migrations/versions/0001_old.py": _function("upgrade", 200) + "x = 1\n" * 301,
    })
    assert sizes.oversized(root) == {
        "rhc_app/long.py": "301 lines (at most 300)",
        "rhc_app/funcs.py:too_long": "61 lines (at most 60)",
        "rhc_app/methods.py:Box.decorated": "61 lines (at most 60)",
        "rhc_app/nested.py:outer": "63 lines (at most 60)",
        "rhc_app/nested.py:outer.inner": "61 lines (at most 60)",
    }


def test_only_allowed_sizes_pass_and_a_stale_allowance_is_reported(tmp_path):
    root = _app(tmp_path, {"funcs.py": _function("too_long", 61) + _function("short", 5)})
    assert sizes.problems(root, allowed={}) == "rhc_app/funcs.py:too_long: 61 lines (at most 60)"
    assert sizes.problems(root, allowed={"rhc_app/funcs.py:too_long": "being cut"}) is None
    stale = sizes.problems(root, allowed={"rhc_app/funcs.py:too_long": "being cut",
                                          "rhc_app/funcs.py:short": "once long"})
    assert stale == ("rhc_app/funcs.py:short: allowed in tools/sizes.py but no longer too long: "
                     "remove it")
