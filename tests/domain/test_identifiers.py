"""Folding what identifies a person or a place: the ways workers write the same phone number,
registration, postcode, handle or name come out equal, and near misses do not."""

from __future__ import annotations

import pytest

from rhc_app.domain import identifiers as ids


@pytest.mark.parametrize("written", [
    "07700 900123", "07700900123", "+44 7700 900123", "+447700900123", "0044 7700 900123",
    "+44 (0)7700 900123", "07700-900-123", "(07700) 900123",
])
def test_one_mobile_number_written_eight_ways(written: str) -> None:
    assert ids.phone(written) == "+447700900123"
    assert ids.in_text(f"His number is {written}.") == [("phone", "+447700900123")]


def test_a_london_number_in_brackets() -> None:
    assert ids.in_text("rang (020) 7946 0000 twice") == [("phone", "+442079460000")]


@pytest.mark.parametrize("text", [
    "on 01-12-2026 10:00", "on 01/12/2026", "born 2011", "ref 123456789012345678901234",
    "0770090012", "7700 900123",
])
def test_dates_and_other_numbers_are_not_phone_numbers(text: str) -> None:
    assert [t for t in ids.in_text(text) if t[0] == "phone"] == []


def test_an_international_number_keeps_its_country_code() -> None:
    assert ids.phone("+33 6 12 34 56 78") == "+33612345678"


@pytest.mark.parametrize("written", ["AB12 CDE", "ab12cde", "Ab12 cDe"])
def test_registrations_fold_spacing_and_case(written: str) -> None:
    assert ids.vehicle(written) == "AB12CDE"
    assert ("vehicle", "AB12CDE") in ids.in_text(f"a grey car, {written}, outside")


def test_a_word_run_into_a_registration_is_not_one() -> None:
    assert ids.in_text("XAB12CDE and AB12CDEF") == []


@pytest.mark.parametrize("written", ["SW1A 1AA", "sw1a1aa", "Sw1A 1aA"])
def test_postcodes_give_the_full_code_and_the_district(written: str) -> None:
    assert ids.postcode(written) == ("SW1A1AA", "SW1A")
    found = ids.in_text(f"stayed at a flat near {written}")
    assert ("postcode", "SW1A1AA") in found and ("district", "SW1A") in found


def test_a_district_alone_counts_only_as_the_whole_area_box() -> None:
    assert ("district", "M1") in ids.entry_tokens("place", {"name": "A flat", "area": "m1"})
    assert ("district", "M1") not in ids.entry_tokens("place", {"name": "A flat", "area": "near m1"})


def test_handles_are_lower_case_and_not_email_addresses() -> None:
    assert ids.in_text("on snap as @Bigz_22.") == [("handle", "@bigz_22")]
    assert ids.in_text("wrote to kai@example.org") == []


@pytest.mark.parametrize(("one", "other"), [
    ("Zoë", "ZOE"), ("Phillip", "Filip"), ("  Jamal   Smith ", "jamal smith"),
    ("Jonny", "Jonnie"), ("Nicky", "Nikki"), ("Thomas", "Tomas"), ("Renée", "RENEE"),
])
def test_spellings_of_one_name_fold_together(one: str, other: str) -> None:
    assert ids.name(one) == ids.name(other)


@pytest.mark.parametrize(("one", "other"), [("Jamal", "Jamil"), ("Kai", "Kaz"), ("Ali", "Alim")])
def test_different_names_stay_apart(one: str, other: str) -> None:
    assert ids.name(one) != ids.name(other)


def test_names_in_other_scripts_are_kept_casefolded() -> None:
    assert ids.name("محمد") == "محمد"
    assert ids.name("ΆΛΕΞΗΣ") == "άλεξησ"  # accents kept: not Latin, not folded
    assert ids.name("Ｋａｉ") == ids.name("kai")  # full-width letters


def test_a_name_box_with_a_nickname_gives_each_name() -> None:
    assert set(ids.names("Kai / Bigz")) == {"kai bigz", "kai", "bigz"}
    assert "bigz" in ids.names("Kai, known as Bigz")
    assert ids.names("") == [] and ids.names("?") == []


def test_a_person_gives_every_identifier_in_every_box() -> None:
    found = ids.entry_tokens("person", {
        "name": "Bigz", "description": "drives AB12 CDE", "relationship": "@bigz_22",
        "concern": "call 07700 900123, lives near SW1A 1AA", "approximate_age": "19"})
    assert set(found) == {("name", "bigz"), ("vehicle", "AB12CDE"), ("handle", "@bigz_22"),
                          ("phone", "+447700900123"), ("postcode", "SW1A1AA"),
                          ("district", "SW1A")}
    assert len(found) == len(set(found))


@pytest.mark.parametrize(("kind", "written"), [
    ("person", "Mum"), ("person", "her boyfriend"), ("person", "Unknown"),
    ("place", "Home"), ("place", "a friend's house"), ("place", "The Park"),
])
def test_a_name_box_with_no_name_in_it_gives_no_name(kind: str, written: str) -> None:
    assert [t for t in ids.entry_tokens(kind, {"name": written}) if t[0] == "name"] == []


def test_a_word_for_someone_next_to_a_name_still_gives_the_name() -> None:
    assert ("name", "bigz") in ids.entry_tokens("person", {"name": "Bigz / boyfriend"})
