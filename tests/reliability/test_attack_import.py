"""Attack finding 12: a file of blank lines must not cost memory per line (19.9 MB of them
took a worker from 221 MB to 1.1 GB). A run of blank lines is counted, not stored."""

from __future__ import annotations

import io
import tracemalloc

from rhc_app.domain.dataset import COLUMNS, parse_dataset
from tests.reliability_plugin import attack_refused

HEADER = ",".join(COLUMNS)
ROW = "C1,,2011-05-04,female,,no,E1,2024-04-01 10:00,,,,,,"


def _peak(data: bytes) -> tuple[int, object]:
    tracemalloc.start()
    try:
        result = parse_dataset(data)
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def test_blank_lines_cost_no_memory_per_line():
    # 600,000 blank lines (tracemalloc makes each allocation slow; the cost per line is what
    # matters): decoding and reading cost about five times the file; a list of line numbers
    # cost forty times it.
    for tail in ("", ROW + "\n"):  # blank lines at the end, and blank lines before a row
        data = (HEADER + "\n" + "\n" * 600_000 + tail).encode()
        peak, result = _peak(data)
        assert peak < 8 * len(data), f"peak {peak / 1e6:.0f} MB for a {len(data) / 1e6:.1f} MB file"
        if tail:
            assert [str(e) for e in result.errors] == [
                "Line 2: lines 2 to 600,001 are empty (600,000 lines): delete them or "
                "fill them in"]
        else:
            assert [str(e) for e in result.errors] == [
                "File: the file has only the header row: add one line per missing episode"]
    attack_refused("finding 12: a CSV of blank lines stores every line number")


def test_upload_of_blank_lines_gives_one_plain_error(world, auth):
    from tests.conftest import Auth

    assert isinstance(auth, Auth)
    auth.sign_in(world.user("north", "manager"))
    body = (HEADER + "\n" + "\n" * 200_000 + ROW + "\n").encode()
    r = auth.post("/reports/import", {"file": (io.BytesIO(body), "episodes.csv")},
                  content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "lines 2 to 200,001 are empty (200,000 lines)" in html
    assert html.count("are empty") == 1 and "this line is empty" not in html
    attack_refused("finding 12: uploading blank lines lists one error per line")
