"""GOV.UK components rendered once per process and reused: `{{ govuk("input", params) }}`
gives what `{{ govukInput(params) }}` gives, byte for byte.

Why: the conversation page calls about 500 GOV.UK macros, each a chain of Jinja macros
(label, hint, attributes), and that was most of the page's CPU. A component's markup depends
only on its parameters, so it is rendered once as a stencil and reused. The stencil never
holds what was typed or what was ticked: the value is a hole filled with the escaped value,
and "checked" or "selected" is added after the one option that has it. So the cache is keyed
on labels, names and hints alone, the same for every user and record. Anything the stencil
cannot reproduce exactly (an error message, a value that is not text, a conditional reveal,
an option that is not unique) is rendered by the macro itself, as before. My conversations'
status and flag tags come from stencils too (a tag naming a worker is left to the macro).
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from markupsafe import Markup

MACROS = {"input": ("input", "govukInput"), "textarea": ("textarea", "govukTextarea"),
          "characterCount": ("character-count", "govukCharacterCount"),
          "radios": ("radios", "govukRadios"), "checkboxes": ("checkboxes", "govukCheckboxes"),
          "select": ("select", "govukSelect"), "button": ("button", "govukButton"),
          "tag": ("tag", "govukTag")}
_HOLE = "\ue000rhc-value\ue000"  # a private-use character: never escaped, never typed here
_CHOSEN = {"radios": "checked", "checkboxes": "checked", "select": "selected"}
_FLAGS = {k: Markup(" checked") if v == "checked" else Markup(" selected")
          for k, v in _CHOSEN.items()}
_OPTION, _NAME, _QUOTE = Markup('<option value="'), Markup(' name="'), Markup('"')
_TYPES = {"radios": Markup('" type="radio" value="'),
          "checkboxes": Markup('" type="checkbox" value="')}
_MAX_STENCILS = 4096  # names are per row (person-3-name): bounded, but not by a constant


class Uncacheable(Exception):
    """These parameters are rendered by the macro itself."""


def _anchor(component: str, params: dict[str, Any], item: dict[str, Any]) -> Markup:
    """The text just before where the macro writes " checked" or " selected"."""
    if component == "select":
        return _OPTION + item["value"] + _QUOTE  # Markup + str escapes the str
    name = params["name"] if component == "radios" else (item.get("name") or params["name"])
    return _NAME + name + _TYPES[component] + item["value"] + _QUOTE


def _stencil_of(component: str, params: dict[str, Any]) -> tuple[dict[str, Any], str | None,
                                                                  list[Markup]]:
    """The parameters with nothing of the record in them, the value for the hole, and the
    anchors of the options chosen."""
    if params.get("errorMessage"):
        raise Uncacheable
    stencil, value, chosen = dict(params), None, []
    if "value" in params:
        if component in _CHOSEN or type(params["value"]) is not str:
            raise Uncacheable  # radios and selects chosen by params.value: left to the macro
        value, stencil["value"] = params["value"], _HOLE
    if component in _CHOSEN:
        flag = _CHOSEN[component]
        items = []
        for item in params.get("items") or []:
            if not item or item.get("conditional") or ("values" in params):
                raise Uncacheable
            if type(item.get("value")) is not str:  # every option's value must be text
                raise Uncacheable
            if item.get(flag):
                chosen.append(_anchor(component, params, item))
            items.append({**item, flag: False})
        stencil["items"] = items
    return stencil, value, chosen


class Components:
    def __init__(self, env: Environment) -> None:
        self.env = env
        self.stencils: dict[str, tuple[Markup, list[Markup]] | None] = {}

    def macro(self, component: str) -> Any:
        folder, name = MACROS[component]
        return getattr(self.env.get_template(
            f"govuk_frontend_jinja/components/{folder}/macro.html").module, name)

    def direct(self, component: str, params: dict[str, Any]) -> Markup:
        made: Markup = self.macro(component)(params)  # autoescaped: the macro's own Markup
        return made

    def __call__(self, component: str, params: dict[str, Any]) -> Markup:
        try:
            stencil, value, chosen = _stencil_of(component, params)
        except Uncacheable:
            return self.direct(component, params)
        # repr tells a str from a Markup, an Undefined or a number, as the macro does.
        key = repr((component, stencil))
        if key not in self.stencils:
            if len(self.stencils) >= _MAX_STENCILS:
                self.stencils.clear()
            self.stencils[key] = self._render(component, stencil)
        made = self.stencils[key]
        if made is None:
            return self.direct(component, params)
        html, anchors = made
        for anchor in chosen:
            if anchor not in anchors:  # not exactly once in the markup: the macro decides
                return self.direct(component, params)
            before, _, after = html.partition(anchor)
            html = before + anchor + _FLAGS[component] + after
        if value is not None:  # Markup + str escapes the str, as the macro does
            before, _, after = html.partition(_HOLE)
            html = before + value + after
        return html

    def _render(self, component: str, stencil: dict[str, Any]
                ) -> tuple[Markup, list[Markup]] | None:
        html = self.direct(component, stencil)
        if "value" in stencil and html.count(_HOLE) != 1:
            return None
        flag = _CHOSEN.get(component)
        anchors = [a for a in (_anchor(component, stencil, item)
                               for item in stencil.get("items") or [])
                   if flag and html.count(a) == 1] if flag else []
        return html, anchors


def register(env: Environment) -> None:
    env.globals["govuk"] = Components(env)
