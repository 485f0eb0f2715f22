"""The house's structure: no import cycle anywhere in ganlab.

The layers themselves are import-linter's contract (.importlinter, run by
`make lint`); a layers contract cannot see a cycle inside one layer (two
graders importing each other), which is what this test adds.
"""

import grimp


def test_no_import_cycle_in_ganlab():
    graph = grimp.build_graph("ganlab")
    cycles = []
    for module in sorted(graph.modules):
        imported = graph.find_modules_directly_imported_by(module)
        for other in sorted(imported):
            chain = graph.find_shortest_chain(importer=other, imported=module)
            if chain:
                cycles.append(" -> ".join((module, *chain)))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
