"""Tasks built from uploaded data: a series to forecast, a text to model, labelled texts
to classify. Each is a DatasetInfo like the built-ins, with its own options."""

from collections.abc import Iterable
from typing import Any, Literal

import torch
from pydantic import Field
from torch import nn

from sequences.batch import Batch
from sequences.datasets.catalog import DatasetInfo
from sequences.datasets.finite import FiniteTask
from sequences.datasets.text import LanguageTask
from sequences.examples import MAX_POINTS, classification_example, predictions
from sequences.settings import Paradigm
from sequences.strict import Strict
from sequences.task import Signature
from sequences.uploads.tokens import encoder, tokenize, vocabulary

MAX_VALIDATION_WINDOWS = 256
SERIES_PARADIGMS: tuple[Paradigm, ...] = ("many-to-one", "many-to-many", "seq2seq")


class SeriesOptions(Strict):
    window: int = Field(32, ge=2, le=1000)  # steps the model reads
    horizon: int = Field(8, ge=1, le=200)  # steps a seq2seq model forecasts
    normalize: Literal["standard", "minmax", "none"] = "standard"  # from the training part only


class TextOptions(Strict):
    tokens: Literal["characters", "words"] = "characters"
    vocabulary: int = Field(200, ge=2, le=10_000)  # most frequent tokens kept; others: <unk>
    length: int = Field(64, ge=4, le=512)  # tokens per training window


class LabelledOptions(Strict):
    tokens: Literal["words", "characters"] = "words"
    vocabulary: int = Field(2000, ge=2, le=10_000)
    max_length: int = Field(100, ge=2, le=1000)  # longer texts are cut


class SeriesTask:
    """Windows of a multivariate series, split by time: training windows lie wholly in the
    first part; validation targets wholly in the last (their inputs may reach back)."""

    def __init__(
        self, data: dict[str, Any], options: dict[str, Any], paradigm: str, val_split: float
    ):
        self.columns, self.times = data["columns"], data["time"]
        values = torch.tensor(data["values"], dtype=torch.float32)  # (N, F)
        self.paradigm, self.window = paradigm, options["window"]
        self.ahead = options["horizon"] if paradigm == "seq2seq" else 1
        rows, W = len(values), self.window
        self.split = int(rows * (1 - val_split))
        need = W + self.ahead
        if self.split < need:
            raise ValueError(
                f"dataset_options.window: a window of {W} and {self.ahead} step(s) ahead need "
                f"{need} rows in the training part; it has {self.split} (of {rows} rows, with "
                f"{val_split:.0%} held out). Use a shorter window or horizon"
            )
        first_target = self.split - (1 if paradigm == "many-to-many" else W)
        if rows - first_target < need:
            raise ValueError(
                f"dataset_options.horizon: the held-out part ({rows - self.split} rows) is too "
                f"short to check {self.ahead} step(s) ahead; use a shorter horizon or a larger "
                "validation share"
            )
        train = values[: self.split]
        self.center, self.scale = scaling(train, options["normalize"])
        self.values = (values - self.center) / self.scale
        features = values.shape[1]
        answers = {"many-to-many": W, "seq2seq": self.ahead}.get(paradigm, 1)
        self.signature = Signature(
            "values", features, "values", features, W, answers, causal=paradigm == "many-to-many"
        )
        starts = torch.arange(first_target, rows - need + 1)
        keep = torch.linspace(0, len(starts) - 1, min(len(starts), MAX_VALIDATION_WINDOWS))
        self.validation_starts = starts[keep.round().long().unique()]
        self.validation = self.windows(self.validation_starts)

    def windows(self, starts: torch.Tensor) -> Batch:
        W = self.window
        span = self.values[starts[:, None] + torch.arange(W + self.ahead)]  # (n, W+ahead, F)
        if self.paradigm == "many-to-one":
            return Batch(span[:, :W], span[:, W])
        if self.paradigm == "many-to-many":
            return Batch(span[:, :W], span[:, 1 : W + 1])
        return Batch(span[:, :W], span[:, W:])  # seq2seq: the next `horizon` values

    def sample(self, n: int, generator: torch.Generator) -> Batch:
        last = self.split - self.window - self.ahead  # the window and its targets stay in training
        return self.windows(torch.randint(0, last + 1, (n,), generator=generator))

    def original_units(self, values: torch.Tensor) -> torch.Tensor:
        return values * self.scale + self.center

    def label(self, row: int) -> str | int:
        return self.times[row] if self.times else row

    def example(self, model: nn.Module) -> dict[str, Any]:
        """The forecast on held-out data against the actual values, in the original units:
        one step ahead along the held-out part (many-to-one, many-to-many) or the next
        `horizon` values after the first held-out window (seq2seq)."""
        v = self.validation
        if self.paradigm == "seq2seq":
            forecast = predictions(model, v.x[:1])[0]  # (H, F)
            first = int(self.validation_starts[0]) + self.window
            rows = list(range(first, len(self.values)))[: self.ahead]
            context = list(range(rows[0] - self.window, rows[0]))
        else:
            out = predictions(model, v.x)
            forecast = out if self.paradigm == "many-to-one" else out[:, -1]  # (n, F)
            rows = (self.validation_starts + self.window).tolist()  # the step each predicts
            context = list(range(max(0, rows[0] - 3 * self.window), rows[0]))
        predicted = self.original_units(forecast)[:MAX_POINTS]
        rows, context = rows[: len(predicted)], context[-MAX_POINTS:]
        actual = self.original_units(self.values[context + rows])
        return {
            "kind": "forecast",
            "columns": self.columns,
            "x": [self.label(r) for r in context + rows],
            "forecast_from": len(context),  # the index in x where the forecast starts
            "actual": {c: rounded(actual[:, i]) for i, c in enumerate(self.columns)},
            "predicted": {c: rounded(predicted[:, i]) for i, c in enumerate(self.columns)},
        }


def scaling(train: torch.Tensor, how: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(center, scale) per feature from the training part only, so nothing leaks back."""
    if how == "standard":
        return train.mean(dim=0), train.std(dim=0).clamp(min=1e-8)
    if how == "minmax":
        low, high = train.min(dim=0).values, train.max(dim=0).values
        return low, (high - low).clamp(min=1e-8)
    return torch.zeros(train.shape[1]), torch.ones(train.shape[1])


def rounded(values: torch.Tensor) -> list[float]:
    return [round(float(v), 5) for v in values]


class UploadedTextTask(LanguageTask):
    def __init__(self, text: str, options: dict[str, Any], val_split: float):
        tokens = tokenize(text, options["tokens"])
        split = int(len(tokens) * (1 - val_split))
        vocab = vocabulary(tokens[:split], options["vocabulary"])  # from the training part
        length = options["length"]
        if split - length - 1 < 1 or len(tokens) - split - length - 1 < 1:
            raise ValueError(
                f"dataset_options.length: windows of {length} {options['tokens']} do not fit "
                f"in this text ({len(tokens)} {options['tokens']}, {val_split:.0%} held out); "
                "use shorter windows"
            )
        joiner = "" if options["tokens"] == "characters" else " "
        super().__init__(encoder(vocab)(tokens), vocab, length, val_split, joiner)


class LabelledTextTask(FiniteTask):
    def __init__(self, data: dict[str, Any], options: dict[str, Any], seed: int, val_split: float):
        order = torch.randperm(len(data["texts"]), generator=torch.Generator().manual_seed(seed))
        texts = [tokenize(data["texts"][i], options["tokens"]) for i in order.tolist()]
        texts = [t[: options["max_length"]] or ["<unk>"] for t in texts]
        self.labels = sorted(set(data["labels"]))
        label_index = {label: i for i, label in enumerate(self.labels)}
        y = torch.tensor([label_index[data["labels"][i]] for i in order.tolist()])
        held_out = max(1, int(round(len(texts) * val_split)))
        self.vocab = vocabulary([w for t in texts[held_out:] for w in t], options["vocabulary"])
        encode = encoder(self.vocab)
        lengths = torch.tensor([len(t) for t in texts])
        x = torch.zeros(len(texts), int(lengths.max()), dtype=torch.long)
        for row, tokens in enumerate(texts):
            x[row, : len(tokens)] = torch.tensor(encode(tokens))
        super().__init__(x, y, lengths, val_split)
        self.joiner = "" if options["tokens"] == "characters" else " "
        self.signature = Signature(
            "tokens", len(self.vocab), "classes", len(self.labels), x.shape[1]
        )

    def decode(self, ids: Iterable[int]) -> str:
        return self.joiner.join(self.vocab[i] for i in ids if i > 0)

    def encode(self, text: str) -> list[int]:
        tokens = tokenize(text, "characters" if self.joiner == "" else "words")
        return encoder(self.vocab)(tokens[: self.signature.length])

    def example(self, model: nn.Module) -> dict[str, Any]:
        return classification_example(model, self)


def uploaded_dataset(
    id: str, name: str, kind: str, data: dict[str, Any], summary: dict[str, Any]
) -> DatasetInfo:
    """An upload as the rest of the playground sees any dataset."""
    if kind == "series":

        def make_series(
            options: dict[str, Any], paradigm: str, seed: int, val_split: float = 0.2
        ) -> SeriesTask:
            return SeriesTask(data, options, paradigm, val_split)

        return DatasetInfo(
            id=id,
            name=name,
            kind="series",
            paradigms=SERIES_PARADIGMS,
            summary=summary,
            options=SeriesOptions,
            inputs="values",
            builtin=False,
            make=make_series,
        )
    if kind == "text":

        def make_text(
            options: dict[str, Any], paradigm: str, seed: int, val_split: float = 0.1
        ) -> UploadedTextTask:
            return UploadedTextTask(data["text"], options, val_split)

        return DatasetInfo(
            id=id,
            name=name,
            kind="text",
            paradigms=("many-to-many",),
            summary=summary,
            options=TextOptions,
            inputs="tokens",
            builtin=False,
            make=make_text,
        )

    def make_labelled(
        options: dict[str, Any], paradigm: str, seed: int, val_split: float = 0.2
    ) -> LabelledTextTask:
        return LabelledTextTask(data, options, seed, val_split)

    return DatasetInfo(
        id=id,
        name=name,
        kind="labelled-text",
        paradigms=("many-to-one", "one-to-one"),
        summary=summary,
        options=LabelledOptions,
        inputs="tokens",
        finite=True,
        builtin=False,
        make=make_labelled,
    )
