from __future__ import annotations

import jaconv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.japanese import (
    collapse_spaces,
    is_furigana,
    normalize_name,
    search_key,
    to_katakana,
    validate_furigana,
)
from tests.bad_input import assert_clear_error, hostile_text

HIRAGANA = st.text(
    alphabet=st.sampled_from([chr(c) for c in range(0x3041, 0x3097)] + ["ー"]), min_size=1
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("やまだ　たろう", "ヤマダ　タロウ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ"),
        ("ｶﾞｷﾞｸﾞﾊﾟﾋﾟｳﾞ", "ガギグパピヴ"),
        ("ﾌｼﾞｰ･ｴﾘ", "フジー・エリ"),
        ("  さとう \u3000  はなこ ", "サトウ　ハナコ"),
        ("ヤマダ", "ヤマダ"),
        ("か\u3099", "ガ"),
        ("山田 Taro", "山田　Taro"),  # other characters are left for validation to judge
        ("", ""),
    ],
)
def test_to_katakana(typed: str, expected: str) -> None:
    assert to_katakana(typed) == expected


@given(st.text())
def test_to_katakana_is_idempotent(text: str) -> None:
    once = to_katakana(text)
    assert to_katakana(once) == once


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("ヤマダ　タロウ", True),
        ("やまだ たろう", True),
        ("ﾔﾏﾀﾞ", True),
        ("ジョン・スミス", True),
        ("ヴィクトリー", True),
        ("山田", False),
        ("Yamada", False),
        ("ヤマダ1", False),
        ("", False),
        ("　", False),
    ],
)
def test_is_furigana(text: str, ok: bool) -> None:
    assert is_furigana(text) is ok


def test_validate_furigana() -> None:
    assert validate_furigana(" ﾔﾏﾀﾞ  たろう ") == "ヤマダ　タロウ"
    with pytest.raises(ValidationError) as info:
        validate_furigana("山田太郎")
    assert (info.value.message, info.value.field) == (
        "フリガナはカタカナで入力してください。",
        "furigana",
    )
    with pytest.raises(ValidationError, match="カタカナ"):
        validate_furigana("yamada")
    with pytest.raises(ValidationError) as info:
        validate_furigana(" \u3000 ")
    assert info.value.message == "フリガナを入力してください。"
    with pytest.raises(ValidationError) as info:
        validate_furigana("", field="caller_furigana")
    assert info.value.field == "caller_furigana"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("山田  太郎", "山田　太郎"),
        (" 山田\u3000\u3000太郎 ", "山田　太郎"),
        ("ｽﾐｽ ｼﾞｮﾝ", "スミス　ジョン"),
        ("ＳＭＩＴＨ　Ｊｏｈｎ２", "SMITH　John2"),
        ("山田（旧姓 佐藤）", "山田（旧姓　佐藤）"),  # full-width brackets are kept
        ("髙橋", "髙橋"),
        ("山田 はな", "山田　はな"),  # hiragana in a name stays hiragana
    ],
)
def test_normalize_name(typed: str, expected: str) -> None:
    assert normalize_name(typed) == expected


def test_collapse_spaces() -> None:
    assert collapse_spaces(" a \t b\u3000\u3000c ") == "a　b　c"


@pytest.mark.parametrize("spelling", ["やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "ヤマダ　", " や ま だ "])
def test_search_key_matches_every_kana_spelling(spelling: str) -> None:
    assert search_key(spelling) == "ヤマダ"


def test_search_key_of_case_numbers_and_latin() -> None:
    assert search_key("so-2026-0001") == search_key("SO-2026-0001") == "so-2026-0001"
    assert search_key("ＳＯ－２０２６－０００１") == "so-2026-0001"
    assert search_key("山田 太郎") == search_key("山田　太郎") == "山田太郎"


@given(HIRAGANA)
def test_search_key_is_the_same_for_every_kana_form(hiragana: str) -> None:
    katakana = to_katakana(hiragana)
    assert search_key(hiragana) == search_key(katakana) == search_key(jaconv.z2h(katakana))


@given(st.text())
def test_search_key_is_idempotent(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key


def test_search_key_of_a_key_is_the_key() -> None:
    # Found by hypothesis: lower-casing after NFKC left a decomposed ē behind.
    assert search_key(search_key("E¯")) == search_key("E¯")


KANA_LIKE = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x3041, max_codepoint=0x30FF),  # ひらがな, カタカナ, ゛゜
        st.characters(min_codepoint=0xFF61, max_codepoint=0xFF9F),  # ﾊﾝｶｸ
        st.sampled_from(" \u3000\t・ー-\u3099\u309a"),
    ),
    max_size=20,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(hostile_text(), KANA_LIKE))
def test_kana_and_names_never_crash(text: str) -> None:
    """フリガナ is katakana or a clear message; a name and a search key are always some text."""
    try:
        kana = validate_furigana(text, field="caller_furigana")
    except ValidationError as error:
        assert_clear_error(error)
        assert error.field == "caller_furigana"
    else:
        assert kana and is_furigana(kana) and to_katakana(kana) == kana
    name = normalize_name(text)
    assert normalize_name(name) == name
    assert isinstance(search_key(text), str)


def test_a_lone_surrogate_is_no_part_of_a_search_key() -> None:
    assert search_key("\ud800") == ""
    assert search_key("やま\udfffだ") == "ヤマダ"
