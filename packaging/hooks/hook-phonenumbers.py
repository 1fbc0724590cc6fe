# Replaces pyinstaller-hooks-contrib's hook, which takes every submodule of phonenumbers: the
# desk parses and formats numbers (domain/contact.py), whose metadata phonenumbers imports by
# region name; the place names, carriers and time zones of each prefix (40 MB) are left out.
from PyInstaller.utils.hooks import collect_submodules

_UNUSED = ("phonenumbers.geodata", "phonenumbers.carrierdata", "phonenumbers.tzdata")

hiddenimports = collect_submodules("phonenumbers", filter=lambda name: not name.startswith(_UNUSED))
