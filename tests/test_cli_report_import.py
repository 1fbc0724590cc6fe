"""`sodesk report` and `sodesk import` through main(): the 月報 and the ledger, one line per
problem, exit codes as the README says."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop_app.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert main(["demo", "--db", str(path), "--cases", "20"]) == 0
    return path


def test_report_through_main(demo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "r.pdf"
    assert main(["report", "--db", str(demo), "--month", "2026-11", "-o", str(out)]) == 0
    assert len(PdfReader(out).pages) == 1
    capsys.readouterr()
    bad = ["report", "--db", str(demo), "--month", "2026-13", "-o", str(tmp_path / "b.pdf")]
    with pytest.raises(SystemExit) as refused:
        main(bad)
    assert refused.value.code == 2
    assert main(["report", "--db", str(demo), "-o", str(tmp_path / "c.pdf")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "YYYY-MM" in err and "どちらか一方" in err
    assert not (tmp_path / "b.pdf").exists() and not (tmp_path / "c.pdf").exists()


def test_import_through_main(demo: Path, tmp_path: Path, capsys) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(
        "受付日,氏名,フリガナ,生年月日,電話番号\n"
        "令和8年11月2日,試験　一郎,シケン　イチロウ,S45.3.15,0144-32-1111\n"
        "2026/2/30,試験　二郎,シケン　ジロウ,1980/1/1,\n",
        encoding="cp932",
    )
    args = ["import", str(ledger), "--db", str(demo)]
    assert main([*args, "--dry-run"]) == 1, "the clerk's account may not import"
    assert "管理者" in capsys.readouterr().err
    assert main([*args, "--user", "kanri", "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "行 3 受付日: 2026/2/30 は日付として正しくありません" in out
    assert "何も書き込んでいません" in out
    assert main([*args, "--user", "kanri"]) == 1, "a refused row: non-zero"
    assert "案件 1 件" in capsys.readouterr().out
    assert main([*args, "--user", "kanri"]) == 1
    out = capsys.readouterr().out
    assert "案件 0 件" in out and "取り込み済み" in out
    assert main(["check", "--db", str(demo)]) == 0
    good = tmp_path / "good.csv"
    good.write_text(
        "受付日,氏名,フリガナ\n2026/10/1,試験　三郎,シケン　サブロウ\n", encoding="utf-8"
    )
    assert main(["import", str(good), "--db", str(demo), "--user", "kanri"]) == 0
