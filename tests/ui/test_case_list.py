from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from desktop_app.domain.changes import Change, OpChanges
from desktop_app.domain.stages import Stage
from desktop_app.services import case_rows as cases_service
from desktop_app.services.cases import move_stage
from desktop_app.ui import case_list, case_table_model
from desktop_app.ui.actions import ChangeNotice, ServiceRunner
from desktop_app.ui.case_list import CaseListPage, count_text
from desktop_app.ui.case_table_model import COL_NAME, COL_STAGE, PAGE_SIZE, CaseIdRole, StageRole
from desktop_app.ui.layout_tools import settle_layout
from tests.ui.conftest import type_japanese


@pytest.fixture
def cases(make_case):
    return {
        "yamada": make_case(),
        "sato": make_case(name="佐藤　花子", furigana="サトウ　ハナコ"),
        "tanaka": make_case(name="田中　一郎", furigana="タナカ　イチロウ"),
    }


@pytest.fixture
def page(qtbot, runner: ServiceRunner, model_tester) -> CaseListPage:
    p = CaseListPage(runner)
    qtbot.addWidget(p)
    model_tester(p.model)
    return p


def _names(page: CaseListPage) -> list[str]:
    model = page.model
    return [model.index(r, COL_NAME).data() for r in range(model.rowCount())]


def test_lists_all_cases_newest_first(cases, page: CaseListPage) -> None:
    assert page.count_label.text() == "3件"
    assert _names(page) == ["田中　一郎", "佐藤　花子", "山田　太郎"]
    assert page.model.index(0, COL_STAGE).data() == "問い合わせ受付"
    assert page.model.index(0, 0).data(StageRole) == Stage.INQUIRY.value
    assert page.model.index(0, 0).data(CaseIdRole) == cases["tanaka"].id


@pytest.mark.parametrize("text", ["やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "山田"])
def test_any_kana_spelling_finds_the_case(qtbot, cases, page: CaseListPage, text: str) -> None:
    type_japanese(page.search_edit, text)
    assert page.search_edit.text() == text
    qtbot.waitUntil(lambda: page.count_label.text() == "1件")
    assert page.model.index(0, 0).data(CaseIdRole) == cases["yamada"].id


def test_case_number_typed_in_ascii_finds_the_case(qtbot, cases, page: CaseListPage) -> None:
    number = cases["sato"].case_number
    qtbot.keyClicks(page.search_edit, number.lower())
    qtbot.waitUntil(lambda: page.count_label.text() == "1件")
    assert _names(page) == ["佐藤　花子"]


def test_stage_filter(qtbot, store, cases, page: CaseListPage) -> None:
    move_stage(store, cases["sato"].id, Stage.CANCELLED, reason="ご本人のご都合")
    page.stage_filter.setCurrentIndex(page.stage_filter.index_of(Stage.CANCELLED))
    assert _names(page) == ["佐藤　花子"]
    page.stage_filter.setCurrentIndex(page.stage_filter.index_of("open"))
    assert _names(page) == ["田中　一郎", "山田　太郎"]


def test_scrolling_to_the_end_loads_the_next_page(qtbot, make_case, runner, model_tester):
    for i in range(PAGE_SIZE + 5):
        make_case(name=f"患者　{i}", furigana="カンジャ　テスト")
    page = CaseListPage(runner)
    qtbot.addWidget(page)
    page.resize(900, 600)
    settle_layout(page)
    page.show()
    qtbot.waitExposed(page)
    assert page.model.rowCount() == PAGE_SIZE
    assert page.model.canFetchMore()
    # The count looks past the first page (up to COUNT_AHEAD, issue #13).
    assert page.count_label.text() == f"{PAGE_SIZE + 5}件"
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == PAGE_SIZE + 5)
    assert page.count_label.text() == f"{PAGE_SIZE + 5}件"
    assert not page.model.canFetchMore()
    ids = [page.model.index(r, 0).data(CaseIdRole) for r in range(page.model.rowCount())]
    assert len(set(ids)) == len(ids)
    # Attached only now: the tester itself calls fetchMore, which would hide the paging.
    model_tester(page.model)
    # A refresh reloads every loaded row and leaves the clerk where they were.
    page.table.selectRow(PAGE_SIZE + 2)
    page.table.scrollTo(page.model.index(PAGE_SIZE + 2, 0))
    scroll = page.table.verticalScrollBar().value()
    assert scroll > 0
    runner.changed.emit(ChangeNotice(OpChanges(Change.CASES)))
    assert page.model.rowCount() == PAGE_SIZE + 5
    assert page.table.verticalScrollBar().value() == scroll
    assert page.current_case_id() == ids[PAGE_SIZE + 2]


def test_refresh_after_a_change_keeps_selection(qtbot, cases, page, runner, store) -> None:
    resets: list[bool] = []
    page.model.modelReset.connect(lambda: resets.append(True))
    page.table.selectRow(2)  # 山田
    assert page.current_case_id() == cases["yamada"].id
    with qtbot.waitSignal(runner.changed):
        runner.run(page, move_stage, cases["sato"].id, Stage.FORMS_SENT, changes=Change.CASES)
    assert page.model.index(1, COL_STAGE).data() == "書類送付済"
    assert page.current_case_id() == cases["yamada"].id
    assert page.table.selectionModel().isRowSelected(2)
    assert resets == []


def test_new_case_appears_on_refresh_and_selection_follows(qtbot, cases, page, make_case, runner):
    page.table.selectRow(1)  # 佐藤
    make_case(name="鈴木　次郎", furigana="スズキ　ジロウ")
    runner.changed.emit(ChangeNotice(OpChanges(Change.CASES)))
    assert _names(page)[0] == "鈴木　次郎"
    assert page.count_label.text() == "4件"
    assert page.current_case_id() == cases["sato"].id


def test_enter_opens_the_detail(qtbot, cases, page: CaseListPage) -> None:
    settle_layout(page)
    page.show()
    qtbot.waitExposed(page)
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(2, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page._details.get(cases["yamada"].id)
    assert dialog is not None
    assert dialog.isVisible()
    assert "山田　太郎" in dialog.name_label.text()
    dialog.close()
    qtbot.waitUntil(lambda: cases["yamada"].id not in page._details)


def test_a_stale_search_result_is_dropped(qtbot, cases, page, runner, monkeypatch) -> None:
    """A slow search for an older text must not overwrite the newer one's result."""
    release = threading.Event()
    real_fetch = case_list._fetch

    def fetch(store, query, stages, offset, limit):
        if query == "さとう":
            release.wait(10)  # still running when the clerk has typed on
        return real_fetch(store, query, stages, offset, limit)

    monkeypatch.setattr(case_list, "_fetch", fetch)
    page.search_edit.setText("さとう")
    page.search_in_background()
    page.search_edit.setText("たなか")
    page.search_in_background()
    qtbot.waitUntil(lambda: _names(page) == ["田中　一郎"])
    release.set()
    qtbot.waitUntil(lambda: not runner._tasks)  # the stale result has been delivered
    assert _names(page) == ["田中　一郎"]
    assert page.count_label.text() == "1件"


def test_a_count_that_stopped_says_so_and_grows_with_scrolling(
    qtbot, make_case, runner, monkeypatch
) -> None:
    monkeypatch.setattr(case_table_model, "PAGE_SIZE", 2)
    monkeypatch.setattr(cases_service, "COUNT_AHEAD", 2)
    for i in range(5):
        make_case(name=f"患者　{i}", furigana="カンジャ　テスト")
    page = CaseListPage(runner)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 2
    assert page.count_label.text() == "2件以上"
    assert page.model.canFetchMore()
    page.model.fetchMore()
    assert page.count_label.text() == "4件以上"
    page.model.fetchMore()
    assert page.count_label.text() == "5件"
    assert not page.model.canFetchMore()
    assert count_text(1000, True) == "1,000件以上"
