"""Browsers keep what is typed into a form's fields to offer it again (form history, in the
profile on the device). Every form but the sign-in and password ones says autocomplete="off",
so a child's name or a worker's note is not kept on a shared or lost tablet."""

from __future__ import annotations

import re
from pathlib import Path

import rhc_app

TEMPLATES = Path(rhc_app.__file__).parent / "web" / "templates"
FORM_TAG = re.compile(r"<form\b[^>]*>", re.S)
# These fields carry proper autocomplete tokens (username, current-password, one-time-code)
# so a password manager can fill them; they hold nothing about a child.
SIGN_IN_FORMS = {"auth"}


def test_every_form_outside_sign_in_keeps_no_history():
    missing = [f"{path.relative_to(TEMPLATES)}: {tag[:80]}"
               for path in sorted(TEMPLATES.rglob("*.html"))
               if path.relative_to(TEMPLATES).parts[0] not in SIGN_IN_FORMS
               for tag in FORM_TAG.findall(path.read_text(encoding="utf-8"))
               if 'autocomplete="off"' not in tag]
    assert not missing, "forms that let the browser keep what was typed:\n" + "\n".join(missing)


def test_the_new_child_form_as_served_keeps_no_history(world, auth):
    auth.sign_in(world.user("north", "worker"))
    page = auth.client.get("/children/new").get_data(as_text=True)
    forms = FORM_TAG.findall(page)
    assert any('method="post"' in f for f in forms)
    assert all('autocomplete="off"' in f for f in forms)
