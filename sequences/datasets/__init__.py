"""Built-in datasets, generated in code or shipped inside a package: nothing is downloaded."""

from sequences.datasets.adding import ADDING
from sequences.datasets.catalog import DatasetInfo
from sequences.datasets.real import CO2, SUNSPOTS
from sequences.datasets.sentiment import SENTIMENT
from sequences.datasets.series import MULTI_SINE, SINE, WAVE
from sequences.datasets.symbols import COPY, REVERSE
from sequences.datasets.text import TEXT
from sequences.task import Signature

CATALOG: dict[str, DatasetInfo] = {
    info.id: info
    for info in (ADDING, SENTIMENT, COPY, REVERSE, SINE, MULTI_SINE, WAVE, TEXT, SUNSPOTS, CO2)
}

__all__ = ["CATALOG", "DatasetInfo", "Signature"]
