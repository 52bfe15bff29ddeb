"""The GOV.UK pagination component's parameters for a paged list (page number in the query
string), and reading that number from the request."""

from __future__ import annotations

from typing import Any

from flask import request, url_for


def page_number() -> int:
    """The page asked for: 1 if none; 0 (a page that does not exist) if not a whole number."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 0


def pagination(endpoint: str, number: int, pages: int, **args: Any) -> dict[str, Any] | None:
    """Previous and next links and the page numbers around this one, with ellipses between
    (the first and last page are always shown), or None for a single page. `args` are kept
    in every link (a list's period, say)."""
    if pages <= 1:
        return None

    def link(n: int) -> str:
        return url_for(endpoint, page=n, **args)

    shown = sorted({1, pages, *range(max(1, number - 1), min(pages, number + 1) + 1)})
    items: list[dict[str, Any]] = []
    for n in shown:
        if items and n > items[-1]["number"] + 1:
            items.append({"ellipsis": True, "number": n - 1})
        items.append({"number": n, "href": link(n), "current": n == number})
    params: dict[str, Any] = {"items": [i if not i.get("ellipsis") else {"ellipsis": True}
                                        for i in items], "landmarkLabel": "Pages of the list"}
    if number > 1:
        params["previous"] = {"href": link(number - 1)}
    if number < pages:
        params["next"] = {"href": link(number + 1)}
    return params
