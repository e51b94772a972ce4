"""The settings a run spec is made of: the model, its training, its probes.

Each is bounded on its own here; RunSpec (sequences.spec) checks them together and
against the dataset. Models and the training loop read them through `Recipe`."""

from typing import Any, Literal, Protocol, Self

from pydantic import Field, model_validator

from sequences.strict import Strict

Paradigm = Literal["one-to-one", "one-to-many", "many-to-one", "many-to-many", "seq2seq"]
Cell = Literal["rnn", "lstm", "gru", "mingru", "minlstm", "ssm", "transformer", "bow"]

MAX_STEPS = 20_000


class ModelSpec(Strict):
    # rnn, lstm, gru (fused); mingru, minlstm, ssm (parallel scan); transformer; bow (baseline)
    cell: Cell = "lstm"
    layers: int = Field(1, ge=1, le=6)  # stacked layers (recurrent or transformer blocks)
    hidden: int = Field(64, ge=1, le=1024)  # units per layer; the model width of a transformer
    activation: Literal["tanh", "relu"] = "tanh"  # vanilla RNN only; relu + identity init = IRNN
    # also read the sequence backwards (not where that shows the answer)
    bidirectional: bool = False
    dropout: float = Field(0.0, ge=0, le=0.9)  # between layers
    heads: int = Field(4, ge=1, le=16)  # transformer attention heads
    # transformer feed-forward width (default 4 x hidden)
    ff: int | None = Field(None, ge=1, le=8192)
    positional: Literal["sinusoidal", "learned"] = "sinusoidal"  # transformer position encoding
    input_encoding: Literal["embedding", "one-hot"] = "embedding"  # how tokens become vectors
    embedding: int = Field(32, ge=1, le=1024)  # embedding size for tokens
    attention: bool = False  # recurrent seq2seq: the decoder attends over encoder states

    @model_validator(mode="after")
    def default_ff(self) -> Self:
        if self.ff is None and self.cell == "transformer":
            self.ff = 4 * self.hidden
        return self


class TrainingSpec(Strict):
    steps: int = Field(300, ge=1, le=MAX_STEPS)  # optimizer steps
    epochs: float | None = Field(None, gt=0, le=1000)  # instead of steps, for fixed datasets
    batch_size: int = Field(32, ge=1, le=512)  # sequences per step
    optimizer: Literal["sgd", "adam", "adamw", "rmsprop"] = "adam"
    lr: float = Field(0.003, gt=0, le=10)  # learning rate
    momentum: float = Field(0.9, ge=0, lt=1)  # sgd and rmsprop
    schedule: Literal["constant", "cosine", "step", "warmup"] = "constant"  # learning-rate schedule
    clip: Literal["norm", "value", "off"] = "norm"  # gradient clipping
    clip_value: float = Field(1.0, gt=0, le=1000)  # the norm or value clipped to
    weight_decay: float = Field(0.0, ge=0, le=1)  # L2 (decoupled for adamw)
    l1: float = Field(0.0, ge=0, le=1)  # L1 penalty on weights, added to the loss
    init: Literal["default", "xavier", "orthogonal", "identity"] = "default"  # recurrent weights
    seed: int = Field(0, ge=0, le=2**31 - 1)  # same spec and seed, same loss curve on CPU
    val_split: float = Field(0.2, ge=0.05, le=0.5)  # held out from fixed datasets
    early_stopping: int | None = Field(None, ge=1, le=100)  # validations without improvement
    teacher_forcing: float = Field(1.0, ge=0, le=1)  # recurrent decoders: read the truth this often
    tbptt: int | None = Field(None, ge=2, le=1000)  # stream in chunks this long, state carried
    precision: Literal["fp32", "bf16"] = "fp32"  # bf16 autocast on a GPU


class ProbeSpec(Strict):
    every: int = Field(25, ge=1, le=100_000)  # steps between looks inside the model


class Recipe(Protocol):
    """A run spec as the code that builds, sizes and trains its model reads it: a RunSpec,
    or the exported script's namespace of the same settings."""

    dataset: str
    dataset_options: dict[str, Any]
    paradigm: Paradigm | None  # None only before RunSpec fills in the dataset's default
    model: ModelSpec
    training: TrainingSpec
