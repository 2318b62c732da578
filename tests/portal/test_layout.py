"""The house keeps its shape: dependencies between the apps flow one way (STYLE.md rule 16).

``lint-imports`` (import-linter, contracts in ``.importlinter``) checks the Python imports; the
migration graph is checked here, because a cycle between two apps' migrations is what makes a
fresh ``migrate`` or a squash fail long after the import that caused it was reviewed.
"""
import subprocess
import sys
from pathlib import Path

from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parents[2]
OUR_APPS = {"accounts", "notifications", "hall", "cases", "services", "volunteers", "points", "suggestions"}

# Applied by every hall that ran the portal before the cases left services: its dependency on
# suggestions cannot be taken back without rewriting history deployed halls have applied. No
# migration written since may depend that way (the check below holds every other edge to it).
HISTORICAL_EDGES = {(("services", "0003_cases"), "suggestions")}


def _app_edges() -> dict[str, set[str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    edges: dict[str, set[str]] = {}
    for (app, name), migration in loader.disk_migrations.items():
        if app not in OUR_APPS:
            continue
        for dep_app, _dep_name in migration.dependencies:
            if dep_app == app or dep_app not in OUR_APPS or ((app, name), dep_app) in HISTORICAL_EDGES:
                continue
            edges.setdefault(app, set()).add(dep_app)
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle in the app graph as a path [a, b, ..., a], or None."""
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
            if nxt not in state and (found := visit(nxt, path + [nxt])):
                return found
        state[node] = "done"
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_it_finds_no_cycle_between_the_apps_migrations():
    edges = _app_edges()
    assert _cycle(edges) is None, f"migration dependency cycle between apps: {' -> '.join(_cycle(edges))}"


def test_it_keeps_lower_apps_migrations_free_of_higher_apps():
    edges = _app_edges()
    # The hall's own parts and the catalogue never wait for the teams, ratings or ideas.
    for lower in ("accounts", "notifications", "hall", "cases", "services", "volunteers"):
        assert not edges.get(lower, set()) & {"points", "suggestions"}, (lower, edges.get(lower))
    assert not edges.get("services", set()) & {"cases", "volunteers"}, edges.get("services")
    assert not edges.get("volunteers", set()) & {"services", "cases"}, edges.get("volunteers")


def test_it_detects_a_cycle_when_there_is_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_it_keeps_the_import_contracts():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
