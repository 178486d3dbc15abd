"""`pillars demo`: a synthetic, obviously fictional database in the inspection's shape.

`build_demo` is the whole contract; the modules beside it generate plain rows per table, and
`desktop.services.seeding` writes them.
"""

from desktop.demo.build import DemoRefused, DemoSummary, build_demo

__all__ = ["DemoRefused", "DemoSummary", "build_demo"]
