"""Smaller transfers (issue 14): fingerprinted asset URLs kept a year, unfingerprinted ones
revalidated, text gzipped for browsers that ask, signed-in pages still never stored."""

import gzip
import re

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def _asset_urls(html):
    return re.findall(r'(?:href|src)="(/assets/[^"]+)"', html)


def test_pages_link_assets_with_a_fingerprint_of_their_bytes(world, auth, client):
    auth.sign_in(world.user("north", "worker"))
    urls = _asset_urls(client.get("/").get_data(as_text=True))
    assert "/assets/rhc.css" in {u.split("?")[0] for u in urls}
    assert urls and all(re.search(r"\?v=[0-9a-f]{12}$", u) for u in urls), urls


def test_a_fingerprinted_asset_is_kept_a_year_and_gzipped(world, auth, client):
    auth.sign_in(world.user("north", "worker"))
    css = next(u for u in _asset_urls(client.get("/").get_data(as_text=True)) if "rhc.css" in u)
    plain = client.get(css, buffered=True)  # buffered: read, then the file closed
    assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Content-Encoding" not in plain.headers  # a client that did not ask gets it plain
    packed = client.get(css, headers=GZIP, buffered=True)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 4
    assert int(packed.headers["Content-Length"]) == len(packed.get_data())


def test_an_asset_without_the_current_fingerprint_is_revalidated(client):
    for url in ("/assets/rhc.css", "/assets/rhc.css?v=000000000000"):
        resp = client.get(url, headers=GZIP, buffered=True)
        assert resp.headers["Cache-Control"] == "no-cache", url
        etag = resp.headers["ETag"]
        again = client.get(url, headers={**GZIP, "If-None-Match": etag}, buffered=True)
        assert again.status_code == 304 and again.get_data() == b""


def test_a_signed_in_page_is_gzipped_and_still_never_stored(world, auth, client):
    auth.sign_in(world.user("north", "worker"))
    plain = client.get("/")
    packed = client.get("/", headers=GZIP)
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Cache-Control"] == "no-store"
    html = gzip.decompress(packed.get_data()).decode()
    assert "My conversations" in html and "My conversations" in plain.get_data(as_text=True)
    assert "Content-Encoding" not in plain.headers


def test_a_redirect_and_a_tiny_answer_are_left_alone(client):
    assert "Content-Encoding" not in client.get("/", headers=GZIP).headers  # to sign in
    assert "Content-Encoding" not in client.get("/livez", headers=GZIP).headers
