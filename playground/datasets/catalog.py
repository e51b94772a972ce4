"""The datasets a spec may name: the built-ins, plus the upload it names (if any)."""

from collections import OrderedDict

from playground.datasets.models import Dataset
from sequences.datasets import CATALOG
from sequences.uploads.prepare import Prepared
from sequences.uploads.tasks import uploaded_dataset


def catalog_for(dataset_id) -> dict:
    """CATALOG, and the uploaded dataset `dataset_id` when it is one."""
    if not isinstance(dataset_id, str) or dataset_id in CATALOG:
        return CATALOG
    info = uploaded_info(dataset_id)
    return {**CATALOG, dataset_id: info} if info else CATALOG


CACHED = 16  # uploads never change, and validation asks often (the build page)
_infos: OrderedDict = OrderedDict()


def uploaded_info(dataset_id: str):
    """The upload as a DatasetInfo (the same object each time, so tasks built for
    validation are reused), or None."""
    if dataset_id in _infos:
        _infos.move_to_end(dataset_id)
        return _infos[dataset_id]
    row = Dataset.objects.filter(id=dataset_id).first()
    if row is None:
        return None
    data = Prepared.data_from_bytes(bytes(row.data))
    _infos[dataset_id] = uploaded_dataset(row.id, row.name, row.kind, data, row.summary)
    if len(_infos) > CACHED:
        _infos.popitem(last=False)
    return _infos[dataset_id]


def described(dataset_id):
    """What a dataset is (kind, paradigms, summary) without its data: a built-in, or an
    upload as its row describes it (None when there is none). Loading an upload's data
    took the run page two seconds for a million rows, to learn only its kind."""
    if not isinstance(dataset_id, str):
        return None
    if dataset_id in CATALOG:
        return CATALOG[dataset_id]
    row = Dataset.objects.filter(id=dataset_id).defer("data").first()
    return None if row is None else uploaded_dataset(row.id, row.name, row.kind, {}, row.summary)


def describe_builtin(info) -> dict:
    """A built-in as the API and the build page show it, with its options' schema."""
    return {**info.describe(), "options_schema": info.options.model_json_schema()}


def describe(row: Dataset, preview: bool = False) -> dict:
    """An upload as the API shows a dataset (see /api/openapi.json)."""
    info = uploaded_dataset(row.id, row.name, row.kind, {}, row.summary)
    body = {
        **info.describe(),
        "filename": row.filename,
        "size": row.size,
        "options_schema": info.options.model_json_schema(),
        "created_at": row.created_at.isoformat(),
    }
    if preview:
        body["preview"] = row.preview
    return body


def forget(dataset_id: str) -> None:
    """Drop a deleted upload from this process's cache (other processes' copies only serve
    runs validated before the delete)."""
    _infos.pop(dataset_id, None)
