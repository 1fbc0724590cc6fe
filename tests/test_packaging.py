from __future__ import annotations

import tomllib
from pathlib import Path

from desktop_app.resources import font_path, resource_path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "desktop_app").rglob("__init__.py")
    }
    assert found <= listed, f"add to pyproject.toml packages: {sorted(found - listed)}"


def test_fonts_and_license_ship_unmodified() -> None:
    gothic = font_path()
    assert gothic.name == "ipaexg.ttf"
    assert gothic.stat().st_size == 6_099_900  # the IPA's original file, byte for byte
    assert font_path("ipaexm.ttf").stat().st_size == 7_835_672
    license_text = resource_path("fonts", "IPA_Font_License_Agreement_v1.0.txt").read_text(
        encoding="utf-8"
    )
    assert "IPAフォントライセンスv1.0" in license_text
