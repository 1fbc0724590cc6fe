"""benchmarks/run.py keeps working: a tiny run writes every figure of issue #13 to its JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {
    "start_ratio",
    "start_ready",
    "start_orm_floor",
    *(
        f"search_{key}_{kind}"
        for key in (
            "kana_prefix",
            "name_hiragana",
            "name_katakana",
            "name_halfwidth",
            "case_number",
            "phone",
        )
        for kind in ("p95", "ratio")
    ),
    "search_common_name",
    "board_first_load",
    "board_load",
    "board_refresh_one_p95",
    "week_view",
    "packet_render",
    "packet_memory_growth",
    "peak_memory",
    "db_size_per_1000",
    "soffice_ratio",
}


@pytest.mark.timeout(180)
def test_a_small_run_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "200"]
    command += ["--json", str(out), "--cache-dir", str(tmp_path / "cache")]
    command += ["--start-runs", "1", "--packets", "3", "--quick"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=170)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {row["key"] for row in report["figures"]} == FIGURES
    assert report["per_size"]["200"]["cases"] == 200 + 1  # the demo and the probe patient
    assert report["per_size"]["200"]["search"]["hits"]["phone"] == {"total": 1, "capped": False}
    assert report["figures"][0]["raw"]["ratio"] > 0
    assert "| 項目 | 計測値 | 目標 | 達成 |" in done.stdout
