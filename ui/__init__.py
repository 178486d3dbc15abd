"""Everything Qt: the application, the main window, one package per screen, item models."""

import sys

import PySide6  # noqa: F401 (installs the import hook answered below)


def _uses_pyside(_module: object) -> bool:
    return True


def _skip_feature_source_reads() -> None:
    """Start-up (issue #10). Importing PySide6 replaces `__import__` so that a module may write
    `from __feature__ import snake_case`; to know which feature selection each new module takes,
    it reads every module imported from then on whole from disk (`inspect.getsource`) and looks
    for the word PySide6: SQLAlchemy's models, Pillars's services and screens, about a tenth of
    the modules' import time. Pillars selects no feature anywhere, so every module has the default
    selection whatever its source says: answer without reading. A PySide6 without the hook (or
    with it renamed) is left alone."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = _uses_pyside


_skip_feature_source_reads()
