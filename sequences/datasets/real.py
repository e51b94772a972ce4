"""Real series that statsmodels ships with its own files (nothing is downloaded): yearly
sunspot numbers and the Mauna Loa CO2 record. They go through the same checks as an
uploaded CSV, so they train, preview and forecast exactly like one."""

from functools import cache
from typing import Any

from sequences.datasets.catalog import DatasetInfo
from sequences.uploads.prepare import prepare
from sequences.uploads.prepared import Prepared
from sequences.uploads.tasks import SERIES_PARADIGMS, SeriesOptions, SeriesTask

OPTIONS = {
    "window": "steps the model reads (2 to 1000, default 32)",
    "horizon": "steps a seq2seq model forecasts (default 8)",
    "normalize": "standard, minmax or none: statistics from the training part only",
}


@cache
def prepared(name: str) -> Prepared:
    """The series as a CSV of our own, checked and prepared like an upload."""
    # statsmodels (scipy under it) takes seconds to import: only these two series need it,
    # and only the first time each is prepared.
    from statsmodels.datasets import co2, sunspots  # noqa: PLC0415

    if name == "sunspots":
        frame = sunspots.load_pandas().data
        rows = [f"{int(y)},{v}" for y, v in zip(frame["YEAR"], frame["SUNACTIVITY"], strict=True)]
        csv = "year,sunspots\n" + "\n".join(rows)
    else:
        frame = co2.load_pandas().data
        rows = [
            f"{t.date()},{'' if v != v else v}"
            for t, v in zip(frame.index, frame["co2"], strict=True)
        ]
        csv = "week,co2\n" + "\n".join(rows)  # 59 weeks without a reading: interpolated
    return prepare(
        csv.encode(), "series", {"missing": "interpolate", "time_column": csv.split(",")[0]}
    )


def real_series(id: str, name: str, description: str) -> DatasetInfo:
    def make_series(
        options: dict[str, Any], paradigm: str, seed: int, val_split: float = 0.2
    ) -> SeriesTask:
        return SeriesTask(prepared(id).data, options, paradigm, val_split)

    def preview() -> Prepared:
        return prepared(id)

    return DatasetInfo(
        id=id,
        name=name,
        kind="series",
        paradigms=SERIES_PARADIGMS,
        summary={
            "description": description,
            "task": "forecasting",
            "options": OPTIONS,
            "source": "statsmodels.datasets",
        },
        options=SeriesOptions,
        inputs="values",
        make=make_series,
        preview=preview,
    )


SUNSPOTS = real_series(
    "sunspots",
    "Sunspots, 1700 to 2008 (real)",
    "Yearly mean sunspot numbers: an 11-year cycle whose peaks vary. Forecast the next years.",
)
CO2 = real_series(
    "co2",
    "CO2 at Mauna Loa, 1958 to 2001 (real)",
    "Weekly atmospheric CO2 in parts per million: a yearly wave on a rising trend.",
)
