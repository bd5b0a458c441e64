import ast
import configparser
from pathlib import Path

import grimp
import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
CONFIG = PROJECT_DIR / ".importlinter"
PACKAGES = ("core", "classes", "volunteers", "home", "learning")
# Django asks apps to import what needs the models inside AppConfig.ready(); that is
# the one place an import may stand in a function.
READY_MODULES = {"core/apps.py", "classes/apps.py", "volunteers/apps.py"}


def _layers_of(contract_id: str) -> tuple[list[grimp.Layer], set[str] | None]:
    """A layers contract of .importlinter (the file `lint-imports` reads), as grimp takes it."""
    section = configparser.ConfigParser()
    section.read(CONFIG)
    contract = section[f"importlinter:contract:{contract_id}"]
    layers = [grimp.Layer(*(name.strip() for name in line.split("|")))
              for line in contract["layers"].split("\n") if line.strip()]
    containers = {line.strip() for line in contract.get("containers", "").split("\n") if line.strip()}
    return layers, containers or None


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def _broken(graph, contract_id: str) -> list[str]:
    """Each import chain that runs against the contract, as "first module -> last module"."""
    layers, containers = _layers_of(contract_id)
    return sorted(
        f"{head} -> {tail}"
        for dependency in graph.find_illegal_dependencies_for_layers(layers=layers, containers=containers)
        for route in dependency.routes
        for head in route.heads
        for tail in route.tails
    )


@pytest.mark.parametrize("contract_id", ["layers", "classes"])
def test_the_layer_contract_is_kept(graph, contract_id):
    assert _broken(graph, contract_id) == []


def test_an_import_from_classes_up_to_volunteers_breaks_the_layer_contract(graph):
    upward = graph.__deepcopy__({})
    upward.add_import(importer="classes.courses.views", imported="volunteers.models")
    assert "classes.courses.views -> volunteers.models" in _broken(upward, "layers")


def test_an_import_from_courses_up_to_the_live_room_breaks_the_classes_contract(graph):
    upward = graph.__deepcopy__({})
    upward.add_import(importer="classes.courses.views", imported="classes.live.selectors")
    assert "classes.courses.views -> classes.live.selectors" in _broken(upward, "classes")


def test_groups_and_the_timetable_stay_independent(graph):
    sideways = graph.__deepcopy__({})
    sideways.add_import(importer="classes.groups.views", imported="classes.timetable.selectors")
    assert "classes.groups.views -> classes.timetable.selectors" in _broken(sideways, "classes")


def _circles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_modules_import_each_other_in_a_circle(graph):
    assert _circles(graph) == []


def test_the_circle_finder_finds_a_circle(graph):
    circular = graph.__deepcopy__({})
    circular.add_import(importer="core.roles", imported="core.sockets")
    circular.add_import(importer="core.sockets", imported="core.roles")
    assert ["core.roles", "core.sockets"] in _circles(circular)


def _imports_inside_functions(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines += [inner.lineno for inner in ast.walk(node) if isinstance(inner, (ast.Import, ast.ImportFrom))]
    return lines


def test_no_import_stands_inside_a_function_but_in_app_ready():
    hidden = {}
    for package in PACKAGES:
        for path in sorted((PROJECT_DIR / package).rglob("*.py")):
            relative = path.relative_to(PROJECT_DIR).as_posix()
            if "/migrations/" in relative or relative in READY_MODULES:
                continue
            if lines := _imports_inside_functions(path):
                hidden[relative] = lines
    assert hidden == {}
