"""The base of every user-facing settings model."""

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    # strict: "64" is not an int here; extra="forbid": a typo is an error, not a silent default
    model_config = ConfigDict(extra="forbid", strict=True)
