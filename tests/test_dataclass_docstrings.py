"""Every dataclass in desktop/, ui/ and db/ has its own docstring (issue #10: start-up and
screen-open time).

Why: on Python 3.11, `dataclasses.dataclass` gives a class that has no docstring one built from
`inspect.signature(cls)` ("Name(a: int, ...)") while the module is imported, about 1.2 ms a class
on the bench machine; 49 dataclasses load before the caseload paints. A class with a docstring of
its own skips that work, and the docstring says what the record is for. The scan reads the source
(no imports), so it is quick and sees every module, whether the app loads it at start-up or not.
"""

import ast
import dataclasses
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("desktop", "ui", "db")
DECORATORS = frozenset({"dataclass", "dataclasses.dataclass"})


def _dataclasses_without_docstring() -> set[str]:
    """Each dataclass under PACKAGES whose body does not open with a string, as "path::Class"."""
    found: set[str] = set()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.ClassDef)
                    and any(ast.unparse(d).split("(")[0] in DECORATORS for d in node.decorator_list)
                    and ast.get_docstring(node) is None
                ):
                    found.add(f"{path.relative_to(ROOT).as_posix()}::{node.name}")
    return found


def test_every_dataclass_has_a_docstring() -> None:
    missing = sorted(_dataclasses_without_docstring())
    assert missing == [], (
        "these dataclasses have no docstring, so each builds one from inspect.signature when its "
        "module is imported (~1.2 ms a class, issue #10); give each a one- or two-line docstring "
        "saying what the record is and who makes or reads it:\n  " + "\n  ".join(missing)
    )


def test_a_dataclass_without_a_docstring_gets_one_built_from_its_signature() -> None:
    @dataclasses.dataclass(frozen=True)
    class Plain:
        reference: int
        name: str = "Zebedee Quibble"

    @dataclasses.dataclass(frozen=True)
    class Described:
        """A fictional record, described by hand."""

        reference: int
        name: str = "Zebedee Quibble"

    # The signature text is what the import pays for: the cost issue #10 measured.
    assert Plain.__doc__ == "Plain(reference: int, name: str = 'Zebedee Quibble')"
    assert Described.__doc__ == "A fictional record, described by hand."
