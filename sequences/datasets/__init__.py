"""Built-in datasets, generated in code: nothing is downloaded."""

from sequences.datasets.adding import ADDING
from sequences.datasets.catalog import DatasetInfo, Shape

CATALOG: dict[str, DatasetInfo] = {info.id: info for info in (ADDING,)}

__all__ = ["CATALOG", "DatasetInfo", "Shape"]
