"""
The floor plan, checked: HTTP only in view modules, no import cycle in the app, models know no workflow,
and nothing the app runs reaches demo data. Read from the source with `ast`, so nothing is imported.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "tracker"
# Where requests come in and responses go out: the pages, the API, the admin (and its import screens).
HTTP_MODULES = ("tracker.views", "tracker.api.views", "tracker.admin", "tracker.admin_import")
RESPONSE_NAMES = {"HttpResponse", "StreamingHttpResponse", "FileResponse", "JsonResponse", "HttpResponseRedirect"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules() -> dict[str, ast.Module]:
    return {
        module_name(path): ast.parse(path.read_text(), filename=str(path))
        for path in sorted(APP.rglob("*.py"))
        if "migrations" not in path.parts
    }


def imports(tree: ast.Module, name: str) -> list[tuple[str, list[str]]]:
    """
    Return (module, names) for every import in `tree` at any depth (lazy imports inside functions too), except
    those under `if TYPE_CHECKING:`, which never run.
    """
    found = []
    package = name if (ROOT / name.replace(".", "/") / "__init__.py").exists() else name.rsplit(".", 1)[0]
    for node in runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            found.append((base, [alias.name for alias in node.names]))
    return found


def runtime_nodes(tree: ast.AST):
    """Yield every node of `tree` except what is under an `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            yield from (n for child in node.orelse for n in [child, *runtime_nodes(child)])
            continue
        yield node
        yield from runtime_nodes(node)


def app_graph(modules: dict[str, ast.Module]) -> dict[str, set[str]]:
    """Return, for each app module, the app modules it imports ("from tracker import workflow" counts too)."""
    graph: dict[str, set[str]] = {}
    for name, tree in modules.items():
        targets = set()
        for module, names in imports(tree, name):
            for candidate in [module, *(f"{module}.{n}" for n in names)]:
                if candidate in modules and candidate != name:
                    targets.add(candidate)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return groups


def is_http_module(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in HTTP_MODULES)


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_the_app():
    assert cycles(app_graph(app_modules())) == []


def test_models_know_no_workflow():
    graph = app_graph(app_modules())
    assert "tracker.workflow" not in graph["tracker.models"]


@pytest.mark.parametrize("name", sorted(n for n in app_modules() if not is_http_module(n)))
def test_only_view_modules_answer_http(name):
    tree = app_modules()[name]
    offending = [
        f"{module}: {', '.join(names) or '*'}"
        for module, names in imports(tree, name)
        if module.startswith(("django.views", "django.template.response"))
        or (module == "django.shortcuts" and {"render", "redirect"} & set(names))
        or (module == "django.http" and RESPONSE_NAMES & set(names))
    ]
    assert offending == [], f"{name} builds HTTP responses; move that into tracker/views/"


def test_the_app_never_imports_demo_data():
    for name, tree in app_modules().items():
        if name in (
            "tracker.management.commands.generate_demo_data",
            "tracker.management.commands.build_demo",
            "tracker.management.commands.demo_identity_provider",
        ):
            continue  # the commands that build it (`make run`'s demo, its identity provider and rules)
        reached = [module for module, _ in imports(tree, name) if module == "demo" or module.startswith("demo.")]
        assert reached == [], f"{name} imports demo data"


def test_domain_code_does_not_borrow_template_filters():
    for name, tree in app_modules().items():
        if name.startswith("tracker.templatetags"):
            continue
        borrowed = [module for module, _ in imports(tree, name) if module.startswith("tracker.templatetags")]
        assert borrowed == [], f"{name} imports template tags"
