"""`python -m bench` (what `make bench` runs): every benchmark, one after another;
figures are printed and written to bench/results/."""

import json
from pathlib import Path

from bench import (
    busy_machine,
    first_metrics,
    health_load,
    socket_burst,
    training_throughput,
    upload_load,
    workshop_load,
)

if __name__ == "__main__":
    first_metrics.main()
    health_load.main()
    upload_load.main()
    workshop_load.main()
    socket_burst.main()
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "busy_machine.json").write_text(json.dumps(busy_machine.main(), indent=2))
    report = training_throughput.main()
    (out / "training_throughput.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
