"""`python -m bench` (what `make bench` runs): every benchmark, one after another;
figures are printed and written to bench/results/."""

import json

from bench import (
    busy_machine,
    first_metrics,
    health_load,
    look_latency,
    parallel_cells,
    results,
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
    results.save("busy_machine", busy_machine.main())
    look_latency.main()
    report = training_throughput.main()
    results.save("training_throughput", report)
    print(json.dumps(report, indent=2))
    results.save("parallel_cells", parallel_cells.main([]))
    results.save("parallel_cells.busy", parallel_cells.main(["--busy", "--lengths", "200"]))
