"""People's own data: uploaded text and CSV files, checked, prepared and turned into tasks.

Everything here is pure Python, pandas and PyTorch: the web app hands over the bytes and
the person's choices, and gets back prepared data or an UploadError to show them."""

from sequences.uploads.errors import UploadError
from sequences.uploads.prepare import KINDS, prepare

__all__ = ["KINDS", "UploadError", "prepare"]
