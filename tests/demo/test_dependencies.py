"""demo sits at the top of the dependency graph: it imports the domain apps, never the other way round."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = ("marketplace", "matching", "sessions_app", "groups", "insights", "config")


def imported_modules(source: str) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def imports_demo(source: str) -> bool:
    return any(module == "demo" or module.startswith("demo.") for module in imported_modules(source))


def test_the_scan_sees_every_way_of_importing_demo():
    for line in (
        "import demo",
        "import demo.people as people",
        "from demo import bulk",
        "from demo.story import x",
    ):
        assert imports_demo(line), line
    for line in ("import demography", "from marketplace import demo_helpers", "from .demo import x"):
        assert not imports_demo(line), line


def test_no_domain_app_imports_demo():
    scanned, offenders = 0, []
    for app in DOMAIN_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            scanned += 1
            if imports_demo(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert scanned > 50
    assert offenders == []
