"""SO Desk's performance figures against their targets (issue #13), in one table.

Run: python benchmarks/run.py [--sizes 2000,20000,100000] [--json FILE]

Builds demo databases of each size (services.maintenance.rebuild_demo: most cases closed, a
few hundred open, with documents, appointments, contacts, payments and audit rows) and keeps
them in a cache folder, so a second run starts at once. Each size is measured in its own
process (benchmarks/figures.py: search, board, week view, packet, peak memory); the cold start
is timed as a subprocess beside the floor script (benchmarks/startup.py) on the largest one.
Timings are figures to read, not a test: nothing here fails when a target is missed.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.startup import measure_start  # noqa: E402

DEFAULT_SIZES = (2_000, 20_000, 100_000)
SEARCHES = (
    ("kana_prefix", "かな前方一致"),
    ("name_hiragana", "氏名 ひらがな"),
    ("name_katakana", "氏名 カタカナ"),
    ("name_halfwidth", "氏名 半角カナ"),
    ("case_number", "案件番号"),
    ("phone", "電話番号"),
)


def cache_dir(given: Path | None) -> Path:
    folder = given or Path(tempfile.gettempdir()) / "sodesk-bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Bumped when what a cached database holds changes (2: the probe patient of figures.py).
BUILD = 2


def demo_db(folder: Path, size: int) -> Path:
    """The demo database of ``size`` cases, built once per schema head and size, with the
    probe patient the searches look for (benchmarks/figures.py) added as a clerk would."""
    from desktop_app.db.migrate import head_revision

    path = folder / f"demo-{size}-schema{head_revision()}-b{BUILD}.db"
    if not path.exists():
        start = time.perf_counter()
        print(f"building {size:,} cases in {path} …", file=sys.stderr, flush=True)
        # In a child process, so the build's memory is not counted against anything measured;
        # into a temporary name first, so a build cut short is never taken for a whole one.
        partial = path.with_suffix(".building")
        partial.unlink(missing_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from desktop_app.services.maintenance import rebuild_demo; "
                "from benchmarks.figures import add_probe; "
                "store = rebuild_demo(sys.argv[1], int(sys.argv[2])); add_probe(store); "
                "store.close()",
                str(partial),
                str(size),
            ],
            cwd=ROOT,
            check=True,
        )
        partial.rename(path)
        print(f"  built in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return path


def measure_size(db: Path, packets: int, quick: bool) -> dict[str, Any]:
    command = [sys.executable, str(ROOT / "benchmarks" / "figures.py"), str(db)]
    command += ["--packets", str(packets), *(["--quick"] if quick else [])]
    return _figures(command, db)


def interleaved_searches(dbs: list[Path], quick: bool) -> dict[str, dict[str, Any]]:
    """The searches on every size in one process, taking turns (figures.py says why)."""
    command = [sys.executable, str(ROOT / "benchmarks" / "figures.py"), *map(str, dbs)]
    command += ["--interleaved-searches", *(["--quick"] if quick else [])]
    return _figures(command, dbs[0])


def _figures(command: list[str], db: Path) -> Any:
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"figures on {db} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def soffice_ms(work: Path) -> float | None:
    """LibreOffice converting an application form from HTML to PDF (the office's way today)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    html = work / "application.html"
    html.write_text(_APPLICATION_HTML, encoding="utf-8")
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(
            [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(work), str(html)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        times.append(1000 * (time.perf_counter() - start))
    return sorted(times)[1]


_APPLICATION_HTML = """<!doctype html><html lang="ja"><meta charset="utf-8">
<title>セカンドオピニオン外来 申込書</title><body>
<h1>セカンドオピニオン外来 申込書</h1>
<table border="1" cellspacing="0" cellpadding="6" width="100%">
<tr><th>案件番号</th><td>SO-2026-0001</td><th>申込日</th><td>令和8年　月　日</td></tr>
<tr><th>フリガナ</th><td colspan="3">ヤマダ タロウ</td></tr>
<tr><th>患者氏名</th><td colspan="3">山田 太郎</td></tr>
<tr><th>生年月日</th><td>昭和30年1月1日</td><th>性別</th><td>男・女</td></tr>
<tr><th>住所</th><td colspan="3">〒053-8567 苫小牧市清水町1-5-20</td></tr>
<tr><th>電話番号</th><td colspan="3">0144-84-0158</td></tr>
<tr><th>相談者</th><td colspan="3">本人・家族（続柄　　　）</td></tr>
<tr><th>主治医</th><td colspan="3">医療機関名　　　　　　 診療科　　　 医師名</td></tr>
<tr><th>病名</th><td colspan="3"></td></tr>
<tr><th>相談内容</th><td colspan="3" height="160"></td></tr>
</table>
<p>苫小牧市立病院 地域医療連携室 TEL 0144-84-0158 FAX 0144-33-4678</p>
</body></html>
"""


# The table -------------------------------------------------------------------------------------


def _row(name: str, value: str, target: str, met: bool | None, key: str, raw: Any) -> dict:
    return {"key": key, "figure": name, "value": value, "target": target, "met": met, "raw": raw}


def figures_table(start: Any, sizes: dict[int, dict[str, Any]], soffice: float | None) -> list:
    small, large = min(sizes), max(sizes)
    big = sizes[large]
    rows = [
        _row(
            f"起動（主画面と最初のページ表示まで、{large:,}件）",
            f"{start.app_s:.2f} s / 下限 {start.floor_s:.2f} s = {start.ratio:.2f}倍"
            f"（CPU {start.app_cpu_s:.2f} s / {start.floor_cpu_s:.2f} s = {start.cpu_ratio:.2f}倍）",
            "≤ 1.5倍",
            start.ratio <= 1.5,
            "start_ratio",
            {"app_s": start.app_s, "floor_s": start.floor_s, "ratio": start.ratio,
             "app_runs": start.app_runs, "floor_runs": start.floor_runs,
             "app_cpu_s": start.app_cpu_s, "floor_cpu_s": start.floor_cpu_s,
             "cpu_ratio": start.cpu_ratio},
        ),
        _row(
            "参考: 起動の残り（デモ担当のサインイン記録・入力の監視）まで",
            f"{start.ready_s:.2f} s = 下限の {start.ready_s / start.floor_s:.2f}倍",
            "（参考）",
            None,
            "start_ready",
            {"ready_s": start.ready_s, "runs": start.ready_runs},
        ),
        _row(
            "参考: 下限 + ORM モデルと最初の問い合わせだけ（orm_floor_start.py）",
            f"{start.orm_floor_s:.2f} s = 下限の {start.orm_ratio:.2f}倍",
            "（参考）",
            None,
            "start_orm_floor",
            {"orm_floor_s": start.orm_floor_s, "ratio": start.orm_ratio,
             "runs": start.orm_floor_runs},
        ),
    ]  # fmt: skip
    for key, label in SEARCHES:
        per = {n: sizes[n]["search"][key]["p95_ms"] for n in sorted(sizes)}
        ratio = per[large] / per[small] if per[small] else float("inf")
        cpu = big["search"][key]["cpu_p95_ms"]
        hits = big["search"]["hits"][key]
        shown = " / ".join(f"{n:,}: {v:.1f}" for n, v in per.items())
        shown += f"（CPU {cpu:.1f}、{_hits(hits)}）"
        rows.append(
            _row(
                f"検索 {label} p95（ms）",
                shown,
                "≤ 16 ms",
                per[large] <= 16,
                f"search_{key}_p95",
                per,
            )
        )
        rows.append(
            _row(
                f"検索 {label} {large:,}件 / {small:,}件",
                f"{ratio:.2f}倍",
                "≤ 1.5倍",
                ratio <= 1.5,
                f"search_{key}_ratio",
                ratio,
            )
        )
    common = big["search"]["common_name"]
    rows.append(
        _row(
            f"参考: 検索 よくある氏名 p95（{common['query']}）",
            " / ".join(
                f"{n:,}: {sizes[n]['search']['common_name']['p95_ms']:.1f} ms"
                f"（{sizes[n]['search']['common_name']['hits']}件一致）"
                for n in sorted(sizes)
            ),
            "（参考）",
            None,
            "search_common_name",
            {n: sizes[n]["search"]["common_name"] for n in sorted(sizes)},
        )
    )
    board = big["board"]
    rows.append(
        _row(
            f"書類ボード 起動後はじめて開く（{board['cards']:,}枚、案件一覧から）",
            f"{board['first_show_ms']:.0f} ms（CPU {board['first_show_cpu_ms']:.0f}）",
            "< 100 ms",
            board["first_show_ms"] < 100,
            "board_first_load",
            board,
        )
    )
    rows.append(
        _row(
            "書類ボード 2回目以降に開く（中央値）",
            f"{board['load']['median_ms']:.0f} ms（CPU {board['load']['cpu_median_ms']:.0f}）",
            "< 100 ms",
            board["load"]["median_ms"] < 100,
            "board_load",
            board["load"],
        )
    )
    rows.append(
        _row(
            "書類ボード 1件変更後の更新 p95",
            f"{board['refresh_one']['p95_ms']:.1f} ms（CPU {board['refresh_one']['cpu_p95_ms']:.1f}）",
            "< 16 ms",
            board["refresh_one"]["p95_ms"] < 16,
            "board_refresh_one_p95",
            board["refresh_one"],
        )
    )
    week = big["week"]
    rows.append(
        _row(
            f"カレンダー 週表示（予約{week['appointments']}件の週、中央値）",
            f"{week['refresh']['median_ms']:.0f} ms（CPU {week['refresh']['cpu_median_ms']:.0f}）",
            "< 100 ms",
            week["refresh"]["median_ms"] < 100,
            "week_view",
            week,
        )
    )
    packet = big["packet"]
    rows.append(
        _row(
            "郵送セット（送付書類一式）の作成（中央値）",
            f"{packet['render']['median_ms']:.0f} ms（CPU {packet['render']['cpu_median_ms']:.0f}、"
            f"初回 {packet['first_ms']:.0f} ms）",
            "< 100 ms",
            packet["render"]["median_ms"] < 100,
            "packet_render",
            packet["render"],
        )
    )
    rows.append(
        _row(
            f"郵送セット {packet['in_a_row']}回連続のメモリ増加",
            f"{packet['growth_mib']:+.1f} MiB",
            "増えない（< 2 MiB）",
            packet["growth_mib"] < 2,
            "packet_memory_growth",
            packet,
        )
    )
    peak = max(s["peak_mib"] for s in sizes.values())
    rows.append(
        _row(
            "最大メモリ（検索・ボード・週表示・郵送セット）",
            f"{peak:.0f} MiB",
            "< 300 MB",
            peak * 2**20 < 300e6,
            "peak_memory",
            {n: s["peak_mib"] for n, s in sizes.items()},
        )
    )
    per_1000 = {n: s["db_bytes"] / s["cases"] * 1000 / 2**20 for n, s in sizes.items()}
    rows.append(
        _row(
            "データベースの大きさ（1,000件あたり）",
            " / ".join(f"{n:,}: {v:.1f} MiB" for n, v in per_1000.items()),
            "（報告のみ）",
            None,
            "db_size_per_1000",
            per_1000,
        )
    )
    ours = big["application_form_ms"]
    if soffice is None:
        rows.append(
            _row(
                "参考: LibreOffice で申込書 HTML→PDF",
                f"soffice なし（未計測）。当方の申込書 {ours:.0f} ms",
                "（参考）",
                None,
                "soffice_ratio",
                None,
            )
        )
    else:
        rows.append(
            _row(
                "参考: LibreOffice で申込書 HTML→PDF",
                f"{soffice:.0f} ms、当方 {ours:.0f} ms（{soffice / ours:.0f}倍速い）",
                "（参考）",
                None,
                "soffice_ratio",
                {"soffice_ms": soffice, "ours_ms": ours},
            )
        )
    return rows


def _hits(hits: dict[str, Any]) -> str:
    total = hits["total"]
    return f"{total:,}件以上一致" if hits["capped"] else f"{total:,}件一致"


def print_table(rows: list[dict]) -> None:
    mark = {True: "yes", False: "no", None: "-"}
    print("| 項目 | 計測値 | 目標 | 達成 |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r['figure']} | {r['value']} | {r['target']} | {mark[r['met']]} |")


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(n) for n in DEFAULT_SIZES))
    parser.add_argument("--json", type=Path, help="write the figures to this file too")
    parser.add_argument("--cache-dir", type=Path, help="where built databases are kept")
    parser.add_argument("--start-runs", type=int, default=5, help="cold starts of each kind")
    parser.add_argument("--packets", type=int, default=100, help="packets in a row (memory)")
    parser.add_argument("--quick", action="store_true", help="few repeats (the harness's test)")
    args = parser.parse_args(argv)
    # Byte-code for every module first, as pip writes it when it installs the app: on a
    # machine that sets PYTHONDONTWRITEBYTECODE, every measured process would otherwise
    # compile each module it imports (the board's first opening took 45 ms more that way).
    compileall.compile_dir(ROOT / "desktop_app", quiet=1)
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    folder = cache_dir(args.cache_dir)
    dbs = {n: demo_db(folder, n) for n in sizes}
    per_size: dict[int, dict[str, Any]] = {}
    for n, db in dbs.items():
        print(f"measuring {n:,} cases …", file=sys.stderr, flush=True)
        per_size[n] = measure_size(db, args.packets, args.quick)
    # The searches the table judges by their ratio across sizes: again, every size in one
    # process, taking turns, so that ratio is not one of two moments' machine loads.
    print("searching every size in turn …", file=sys.stderr, flush=True)
    side_by_side = interleaved_searches(list(dbs.values()), args.quick)
    for n, db in dbs.items():
        for key, _label in SEARCHES:
            per_size[n]["search"][key] = side_by_side[str(db)][key]
    print("timing the cold start …", file=sys.stderr, flush=True)
    start = measure_start(dbs[max(sizes)], runs=args.start_runs)
    with tempfile.TemporaryDirectory(prefix="sodesk-soffice-") as work:
        soffice = soffice_ms(Path(work))
    rows = figures_table(start, per_size, soffice)
    print_table(rows)
    if args.json:
        report = {
            "machine": machine(),
            "sizes": sizes,
            "figures": rows,
            "per_size": {str(n): v for n, v in per_size.items()},
        }
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
