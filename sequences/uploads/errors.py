"""What goes wrong with an upload, said so that a person can fix the file."""

from typing import Any


class UploadError(ValueError):
    """A file the playground cannot use. `status` is the HTTP answer (413 too large, 415 not
    text or not CSV at all, 422 a CSV or text with a problem inside); `where` points at the
    row and column, or the choice, when there is one; `choices` offers fixes to pick from."""

    def __init__(
        self,
        message: str,
        status: int = 422,
        where: str | None = None,
        choices: dict[str, list[str]] | None = None,
    ):
        super().__init__(message)
        self.message, self.status, self.where, self.choices = message, status, where, choices

    def __reduce__(self) -> tuple:
        # Checked in another process, it comes back whole: status, place and offers too.
        return type(self), (self.message, self.status, self.where, self.choices)

    def as_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"error": self.message}
        if self.where:
            answer["where"] = self.where
        if self.choices:
            answer["choices"] = self.choices
        return answer
