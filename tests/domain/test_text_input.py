"""What may be stored of typed text: controls out, line breaks kept where a field has lines,
lone surrogates refused naming the field (or replaced where text only passes through)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.japanese import search_key
from desktop_app.domain.text_input import (
    clean_input,
    clean_text,
    is_storable,
    scrub,
    sendable_parameters,
)
from tests.bad_input import broken_text, budget, text_problems


def test_controls_and_noncharacters_go_line_breaks_stay_in_text_of_lines() -> None:
    typed = "手術を\r\n勧められた\x00\x1b\x85次\u2028\t表\x7f\x9f\ufffe\uffff\U0010ffff"
    assert clean_text(typed, "consultation") == "手術を\n勧められた\n次\n\t表"


def test_a_one_line_field_gets_spaces_for_its_line_breaks() -> None:
    assert clean_text("北海道\r\n苫小牧市\t表町\x00", "address", multiline=False) == (
        "北海道 苫小牧市 表町"
    )


def test_a_lone_surrogate_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="氏名・名称に使えない文字") as err:
        clean_text("山田\udcff太郎", "name")
    assert err.value.field == "name"


def test_where_text_only_passes_through_a_surrogate_becomes_a_replacement_character() -> None:
    assert scrub({"\udcffkey\n": ["a\udcffb\x00", ("c\r\n",)]}) == {
        "\ufffdkey ": ["a\ufffdb", ("c\n",)]
    }


def test_nested_inputs_name_the_field_the_form_shows() -> None:
    @dataclasses.dataclass(frozen=True)
    class Caller:
        name: str

    @dataclasses.dataclass(frozen=True)
    class Intake:
        caller: Caller
        answers: dict[str, bool]

    clean = clean_input(Intake(Caller("山田\x00花子"), {"他院\x01": True}), "new")
    assert clean == Intake(Caller("山田花子"), {"他院": True})
    with pytest.raises(ValidationError) as err:
        clean_input(Intake(Caller("山田\ud800"), {}), "new")
    assert err.value.field == "caller_name" and "相談者の氏名" in err.value.message


def test_passwords_keep_every_character_but_a_lone_surrogate() -> None:
    assert clean_input("pass\tword\x00", "password") == "pass\tword\x00"
    with pytest.raises(ValidationError, match="パスワード"):
        clean_input("pass\udcff", "password")


def test_clean_text_is_left_alone() -> None:
    text = "山田　太郎\n手術を勧められた"
    assert clean_text(text, "consultation") is text
    params = ("山田", 3, None)
    assert sendable_parameters(params) is params


def test_no_nul_or_surrogate_reaches_the_driver() -> None:
    assert sendable_parameters(("a\x00b", "c\udcff", 1)) == ("ab", "c\ufffd", 1)
    assert sendable_parameters({"q": "\x00"}) == {"q": ""}


def test_a_search_key_has_no_controls() -> None:
    assert search_key("やま\x00だ\x01") == "ヤマダ"


@budget(200)
@given(text=broken_text("山田　太郎\n様"))
def test_what_is_cleaned_is_storable_and_cleaning_it_again_changes_nothing(text: str) -> None:
    for multiline in (True, False):
        scrubbed = scrub(text, multiline=multiline)
        assert is_storable(scrubbed, multiline=multiline)
        assert not text_problems(scrubbed, single_line=not multiline)
        assert scrub(scrubbed, multiline=multiline) == scrubbed
        try:
            cleaned = clean_text(text, "note", multiline=multiline)
        except ValidationError:
            assert any("\ud800" <= c <= "\udfff" for c in text)
        else:
            assert cleaned == scrubbed
