"""The ORM classes and the Core tables they are mapped onto say the same thing.

The columns are defined once, in db/tables.py; each class in db/models.py annotates them for
the type checker. SQLAlchemy ignores an annotation that names no column, so a misspelt or
forgotten one would leave a class whose attribute the type checker believes in and the
database does not have. These tests catch that, and a nullability the two disagree on.
"""

import types
import typing

import pytest
from sqlalchemy import Column, Integer, MetaData, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, RelationshipProperty, configure_mappers

from desktop_app.db import models, tables

MAPPED = sorted(models.Base.registry.mappers, key=lambda m: m.class_.__name__)


def _column_annotations(cls: type) -> dict[str, object]:
    """name -> the type inside ``Mapped[...]``, over the class and its bases, relationships
    left out."""
    found: dict[str, object] = {}
    for klass in reversed(cls.__mro__):  # models.py has real annotations, not strings
        for name, hint in vars(klass).get("__annotations__", {}).items():
            if typing.get_origin(hint) is Mapped:
                found[name] = typing.get_args(hint)[0]
    attrs = cls.__mapper__.attrs  # type: ignore[attr-defined]
    relationships = {p.key for p in attrs if isinstance(p, RelationshipProperty)}
    return {k: v for k, v in found.items() if k not in relationships}


def _optional(hint: object) -> bool:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return type(None) in typing.get_args(hint)
    return False


def test_every_table_has_one_mapped_class() -> None:
    assert sorted(m.local_table.name for m in MAPPED) == sorted(tables.metadata.tables)


@pytest.mark.parametrize("mapper", MAPPED, ids=lambda m: m.class_.__name__)
def test_the_annotations_name_exactly_the_tables_columns(mapper) -> None:
    configure_mappers()
    annotated = _column_annotations(mapper.class_)
    assert sorted(annotated) == sorted(c.name for c in mapper.local_table.columns)


@pytest.mark.parametrize("mapper", MAPPED, ids=lambda m: m.class_.__name__)
def test_an_optional_annotation_is_a_nullable_column(mapper) -> None:
    annotated = _column_annotations(mapper.class_)
    for column in mapper.local_table.columns:
        hint = annotated[column.name]
        if hint is typing.Any:  # a JSON value: any shape, stored NOT NULL
            continue
        assert _optional(hint) == column.nullable, column.name


def test_a_misspelt_annotation_is_caught() -> None:
    """The check above can fail: an annotation with no column behind it."""

    class ProbeBase(DeclarativeBase):
        pass

    class Probe(ProbeBase):
        __table__ = Table("probe", MetaData(), Column("id", Integer, primary_key=True))
        id: Mapped[int]
        nmae: Mapped[str]

    assert sorted(_column_annotations(Probe)) == ["id", "nmae"]  # not the table's ["id"]
    assert not hasattr(Probe, "nmae")  # what SQLAlchemy alone would leave unsaid
