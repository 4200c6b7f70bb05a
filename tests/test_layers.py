"""DESIGN.md's layers, checked on the source: which package may import which, and no import cycles.

Every import counts, at module level or inside a function, absolute or relative: a lazy import is
still a dependency, and the cycles it hides were the ones that bit.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "adaptivefit"
ROOT_NAME = "adaptivefit"

# The domains inside services/, in the order DESIGN.md draws them: each may use the shared core,
# files, and the domains before it, never one after it.
DOMAINS = ("core", "files", "accounts", "catalog", "training", "nutrition", "wellness", "coaching",
           "marketplace", "payments", "knowledge", "admin")
FOUNDATION = {"config", "crontab", "db", "models"}


def _services(*names: str) -> set[str]:
    return {f"services.{name}" for name in names}


# unit -> the units it may import. A unit is a services domain ("services.training"), a package
# under adaptivefit/ ("coach", "state") or a top-level module ("config", "db").
ALLOWED: dict[str, set[str]] = {
    "services": set(),  # the package that holds the domains; it has no code of its own
    "crontab": set(),
    "config": {"crontab"},
    "logs": {"config"},
    "models": {"config"},
    "db": {"config", "models"},
    "services.core": FOUNDATION,
    "services.files": FOUNDATION | _services("core"),
    "services.accounts": FOUNDATION | _services("core", "files"),
    "services.catalog": FOUNDATION | _services("core", "files", "accounts"),
    # The coach reads the library (names, equipment) and the shared rules; the use cases in the
    # domains above it hand it everything else (the member's tier, their history).
    "coach": FOUNDATION | _services("core", "catalog"),
    "services.training": FOUNDATION | {"coach"} | _services("core", "files", "accounts", "catalog"),
    "services.nutrition": FOUNDATION | _services("core", "files", "accounts", "catalog", "training"),
    "services.wellness": FOUNDATION | _services("core", "files", "accounts", "training"),
    "services.coaching": FOUNDATION | {"coach"} | _services("core", "files", "accounts", "catalog", "training",
                                                           "nutrition", "wellness"),
    "services.marketplace": FOUNDATION | _services("core", "files", "accounts", "catalog", "training"),
    "services.payments": FOUNDATION | _services("core", "files", "accounts", "catalog", "training", "marketplace"),
    "services.knowledge": FOUNDATION | {"coach"} | _services("core", "accounts"),
    "services.admin": FOUNDATION | {"coach"} | _services(*DOMAINS[:-1]),
    # Scheduled work and HTTP routes call the domain; the domain never calls them.
    "jobs": FOUNDATION | {"coach", "logs"} | _services(*DOMAINS),
    "api": FOUNDATION | {"coach", "jobs", "logs"} | _services(*DOMAINS),
    "state": FOUNDATION | {"coach", "jobs"} | _services(*DOMAINS),
    "components": {"config", "models", "state"},
    # Pages render the domain's limits and choices (upload sizes, goals, currencies) as they are.
    "pages": {"config", "models", "state", "components"} | _services(*DOMAINS),
    # What assembles the app and the commands may use everything.
    "demo": FOUNDATION | {"coach", "jobs"} | _services(*DOMAINS),
    "cli": FOUNDATION | {"coach", "jobs", "logs", "demo", "api"} | _services(*DOMAINS),
    "adaptivefit": FOUNDATION | {"api", "coach", "components", "jobs", "logs", "pages", "state"} | _services(*DOMAINS),
}
DOMAIN_LAYERS = ("models", "services", "coach", "jobs", "api")


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def unit_of(module: str) -> str:
    """The layer a module belongs to: "services.<domain>", the package under adaptivefit/, or the module."""
    parts = module.split(".")
    if len(parts) == 1:
        return ROOT_NAME
    if parts[1] == "services" and len(parts) > 2:
        return f"services.{parts[2]}"
    return parts[1]


def imported_modules(module: str, source: str, known: set[str], is_package: bool = False) -> set[str]:
    """The project's modules that `source` imports anywhere in it (names resolved to submodules)."""
    found: set[str] = set()
    here = module if is_package else module.rpartition(".")[0]

    def add(name: str) -> None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name:
            found.add(name)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == ROOT_NAME:
                    add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if target.split(".")[0] != ROOT_NAME:
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                add(full if full in known else target)
    found.discard(module)
    return found


def import_graph(sources: Mapping[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """module -> the project modules it imports; `sources` maps module -> (source, is_package)."""
    known = set(sources)
    return {name: imported_modules(name, text, known, is_package) for name, (text, is_package) in sources.items()}


def layer_violations(graph: Mapping[str, Iterable[str]], allowed: Mapping[str, set[str]] = ALLOWED) -> list[str]:
    wrong = []
    for module, targets in graph.items():
        unit = unit_of(module)
        for target in targets:
            other = unit_of(target)
            # Package roots ("adaptivefit.services", a domain's __init__) hold no code worth an edge.
            if other == unit or target in (ROOT_NAME, f"{ROOT_NAME}.services"):
                continue
            if other not in allowed.get(unit, set()):
                wrong.append(f"{module} -> {target} ({unit} may not import {other})")
    return sorted(wrong)


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), plus modules importing themselves."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return found


def project_sources(package: Path = PACKAGE) -> dict[str, tuple[str, bool]]:
    return {module_name(path, package): (path.read_text(encoding="utf-8"), path.name == "__init__.py")
            for path in package.rglob("*.py")}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(project_sources())


def test_every_import_follows_the_table_of_layers(graph):
    assert layer_violations(graph) == []


def test_there_is_no_import_cycle(graph):
    assert cycles(graph) == []


def test_every_unit_in_the_code_has_a_row_in_the_table(graph):
    assert sorted({unit_of(module) for module in graph} - set(ALLOWED) - {"data"}) == []


def test_no_module_is_left_directly_under_services():
    assert sorted(p.name for p in (PACKAGE / "services").glob("*.py")) == ["__init__.py"]


def _with(extra: dict[str, str]) -> dict[str, set[str]]:
    sources = project_sources()
    sources.update({name: (text, False) for name, text in extra.items()})
    return import_graph(sources)


def test_a_wrong_import_inside_a_function_is_caught():
    graph = _with({"adaptivefit.services.core.wrong": "def f():\n    from adaptivefit.services.payments import billing\n"})
    assert any(v.startswith("adaptivefit.services.core.wrong -> adaptivefit.services.payments")
               for v in layer_violations(graph))


def test_a_domain_importing_a_later_domain_or_the_ui_is_caught():
    graph = _with({
        "adaptivefit.services.training.wrong": "from adaptivefit.services.marketplace import listing\n",
        "adaptivefit.services.nutrition.wrong": "import adaptivefit.state.guard\n",
        "adaptivefit.coach.wrong": "from adaptivefit.services.payments import billing\n",
    })
    wrong = layer_violations(graph)
    assert any("services.training may not import services.marketplace" in v for v in wrong)
    assert any("services.nutrition may not import state" in v for v in wrong)
    assert any("coach may not import services.payments" in v for v in wrong)


def test_a_cycle_through_a_lazy_import_is_caught():
    graph = _with({
        "adaptivefit.services.core.first": "from adaptivefit.services.core import second\n",
        "adaptivefit.services.core.second": "def f():\n    from .first import g\n",
    })
    assert ["adaptivefit.services.core.first", "adaptivefit.services.core.second"] in cycles(graph)


def _imports_top_level(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", DOMAIN_LAYERS)
def test_domain_layer_does_not_import_reflex(layer):
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in (PACKAGE / layer).rglob("*.py")
        if {"reflex", "reflex_base"} & _imports_top_level(path)
    ]
    assert offenders == []


def test_only_config_reads_the_environment():
    readers = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "config.py" and ("os.environ" in path.read_text() or "os.getenv" in path.read_text())
    ]
    assert readers == []
