"""Timings of the printed forms: font loading once, then each form and the mail-out packet.

Run: .venv/bin/python benchmarks/bench_printing.py
The packet for one case should build in well under 0.1 s once fonts are loaded.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.domain.forms import FormKind
from desktop_app.domain.settings import DEFAULT_SETTINGS
from desktop_app.printing import build_form, register_fonts
from tests.printing.samples import (
    SAMPLE_TODAY,
    long_case,
    sample_case,
    sample_day_entries,
    sample_fax,
)

ROUNDS = 20


def _time(fn, rounds: int = ROUNDS) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main() -> None:
    start = time.perf_counter()
    register_fonts()
    print(f"font loading (once per process): {1000 * (time.perf_counter() - start):7.1f} ms")
    case = sample_case()
    family = replace(long_case(), needs_consent=True)
    entries = sample_day_entries(count=12)
    for kind in FormKind:

        def build(kind: FormKind = kind) -> bytes:
            return build_form(
                kind,
                DEFAULT_SETTINGS,
                case,
                today=SAMPLE_TODAY,
                day_entries=entries,
                fax=sample_fax(case),
            )

        build()  # warm-up: first use of glyphs fills reportlab's caches
        median, worst = _time(build)
        print(f"{kind.value:<13} median {1000 * median:6.1f} ms   max {1000 * worst:6.1f} ms")

    def packet() -> bytes:
        return build_form(FormKind.PACKET, DEFAULT_SETTINGS, family, today=SAMPLE_TODAY)

    packet()
    median, worst = _time(packet)
    size = len(packet())
    print(
        f"packet (longest case, with consent): median {1000 * median:.1f} ms, "
        f"max {1000 * worst:.1f} ms, {size // 1024} KiB"
    )


if __name__ == "__main__":
    main()
