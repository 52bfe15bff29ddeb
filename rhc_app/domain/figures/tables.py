"""Tables as text for people and as CSV for spreadsheets, with cells a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence

# Characters a spreadsheet skips before deciding a cell is a formula: whitespace (including
# the no-break space), and the zero-width and byte-order marks that show as nothing.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u180e"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (the OWASP CSV-injection advice).

    Labels can come from an organisation's own settings and older records, so the check is
    made on the text as a spreadsheet reads it: look-alike characters folded (NFKC, so a
    full-width ＝ is =), leading whitespace and invisible characters skipped. If that starts
    with = + - @ tab or CR, the cell is prefixed with an apostrophe. A lone "-" (no figure)
    is left as it is.
    """
    text = "" if value is None else str(value)
    if text == "-":
        return text
    folded = unicodedata.normalize("NFKC", text)
    start = 0
    while start < len(folded) and (folded[start] in _INVISIBLE or (
            folded[start].isspace() and folded[start] not in "\t\r")):
        start += 1
    if folded[start:].startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_safe(v) for v in row] for row in rows)
    return out.getvalue()


def text_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Plain text with the first column left-aligned and the figures right-aligned."""
    table = [list(map(str, header))] + [list(map(str, r)) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = []
    for r in table:
        figures = [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        cells = [r[0].ljust(widths[0]), *figures]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"
