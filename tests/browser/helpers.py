"""Shared helpers for the browser tests: following the service navigation safely, and
downloading files (PDFs and CSVs)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page
from pypdf import PdfReader

from . import conftest

go_to = conftest.go_to  # waits for GOV.UK Frontend before opening the phone menu


def download(page: Page, trigger: Locator, folder: Path) -> tuple[Path, str]:
    """Press `trigger` (a link or a form's button), wait for the download, save it in `folder`
    and give back where it went and the file name the server suggested."""
    with page.expect_download() as info:
        trigger.click()
    dl = info.value
    assert dl.failure() is None, dl.failure()
    name = dl.suggested_filename
    path = folder / name
    dl.save_as(path)
    return path, name


def pdf_pages(path: Path, password: str | None = None) -> list[str]:
    """The text of each page of a PDF (decrypted with `password` if given)."""
    reader = PdfReader(path)
    if password is not None:
        assert reader.is_encrypted, f"{path.name} is not password protected"
        assert reader.decrypt(password), f"{path.name} does not open with the password"
    return [p.extract_text() or "" for p in reader.pages]
