"""Processes as Linux lists them in /proc: who descends from whom, and who is still alive."""

from pathlib import Path


def parents() -> dict[int, int]:
    """Every process's parent."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name may hold spaces and brackets: the fields follow its last ')'.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while listed
        found[int(stat.parent.name)] = int(fields[1])
    return found


def descendants(pid: int) -> dict[int, int]:
    """The processes below `pid`, each with its depth (1: a child, 2: a grandchild, ...)."""
    tree = parents()
    found: dict[int, int] = {}
    level, depth = {pid}, 0
    while level:
        depth += 1
        level = {child for child, parent in tree.items() if parent in level}
        found.update({child: depth for child in level})
    return found


def alive(pid: int) -> bool:
    """Running (a zombie has ended: only its exit status is left)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
