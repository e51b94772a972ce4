"""Where benchmarks keep their figures: bench/results/NAME.json (ignored by git)."""

import json
from pathlib import Path

FOLDER = Path(__file__).parent / "results"


def save(name: str, report: dict) -> Path:
    """Write one benchmark's report as JSON; return the file's path."""
    FOLDER.mkdir(exist_ok=True)
    path = FOLDER / f"{name}.json"
    path.write_text(json.dumps(report, indent=2))
    return path
