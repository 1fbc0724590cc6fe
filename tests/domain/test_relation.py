"""The caller's own 続柄 and the category kept for statistics (issue #24 item 3)."""

from __future__ import annotations

import pytest

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.people import (
    RELATIONS,
    Relationship,
    category_of,
    check_relation,
    relation_label,
)


@pytest.mark.parametrize(
    ("relation", "category"),
    [
        ("父", Relationship.PARENT),
        ("母", Relationship.PARENT),
        ("夫", Relationship.SPOUSE),
        ("妻", Relationship.SPOUSE),
        ("息子", Relationship.CHILD),
        ("娘", Relationship.CHILD),
        ("兄", Relationship.SIBLING),
        ("妹", Relationship.SIBLING),
        ("祖母", Relationship.OTHER_RELATIVE),
        ("おば", Relationship.OTHER_RELATIVE),
    ],
)
def test_each_relation_names_its_category(relation: str, category: Relationship) -> None:
    assert category_of(relation) is category
    assert check_relation(category, f" {relation} ") == relation


def test_every_family_category_but_self_has_a_relation_to_pick() -> None:
    family = {r for r in Relationship if r.is_family}
    assert set(RELATIONS.values()) == family


@pytest.mark.parametrize(
    ("category", "relation", "said"),
    [
        (Relationship.SPOUSE, "父", "続柄「父」は父母です（配偶者ではありません）。"),
        (
            Relationship.OTHER_RELATIVE,
            "妻",
            "続柄「妻」は配偶者です（その他の親族ではありません）。",
        ),
        (Relationship.PARENT, "義母", "続柄「義母」は父母の続柄として選べません。"),
    ],
)
def test_a_relation_that_does_not_fit_the_category_is_refused(
    category: Relationship, relation: str, said: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        check_relation(category, relation)
    assert refused.value.message == said and refused.value.field == "relation"


def test_a_typed_relation_is_for_other_relatives_only_and_short() -> None:
    assert category_of("義母") is None
    assert check_relation(Relationship.OTHER_RELATIVE, "義理の　母") == "義理の 母"
    with pytest.raises(ValidationError, match="20文字以内"):
        check_relation(Relationship.OTHER_RELATIVE, "あ" * 21)


def test_the_patient_and_a_stranger_have_no_relation_and_unknown_stays_unknown() -> None:
    assert check_relation(Relationship.SELF, "父") == ""
    assert check_relation(Relationship.OTHER, "隣人") == ""
    assert check_relation(Relationship.PARENT, "  ") == ""


def test_the_label_is_the_relation_when_known_else_the_category() -> None:
    assert relation_label(Relationship.PARENT, "母") == "母"
    assert relation_label(Relationship.PARENT, "") == "父母"
    assert relation_label(Relationship.SIBLING, "") == "兄弟姉妹"
