"""The project's shape: no import circles among its modules, counting imports made inside
functions (grimp reads every import statement). `make lint` checks the import contracts."""

import grimp

PACKAGES = ("playground", "sequences", "worker")


def circles() -> list[str]:
    """Each direct import a → b whose target leads back to a: the imports that close a circle."""
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    found = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                found.append(f"{module} -> {' -> '.join(back)}")
    return found


def test_no_module_imports_itself_through_others():
    assert circles() == []


def test_the_check_sees_a_circle_made_inside_a_function(tmp_path, monkeypatch):
    package = tmp_path / "circle_demo"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("import circle_demo.b\n")
    (package / "b.py").write_text("def late():\n    import circle_demo.a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("circle_demo", cache_dir=None)
    assert graph.find_shortest_chain(importer="circle_demo.b", imported="circle_demo.a")
