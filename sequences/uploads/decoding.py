"""Bytes to text: refuse what is not text, and say which encodings were tried."""

import codecs

from sequences.uploads.errors import UploadError

# Signatures of binary formats people upload by mistake, with what to do instead.
MAGIC = [
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook is one): save the sheet as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word file: save the sheet as CSV"),
    (b"%PDF", "a PDF document: copy its text into a .txt file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive: unpack it first"),
    (b"SQLite format 3", "an SQLite database: export a table as CSV"),
]
BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
TRIED = "Tried UTF-8 (with or without a byte-order mark) and UTF-16 (with a byte-order mark)"


def decode(raw: bytes) -> str:
    """The file's text, with newlines made \\n; or an UploadError saying why not."""
    if not raw.strip():
        raise UploadError("the file is empty" if not raw else "the file holds only blank space")
    for magic, what in MAGIC:
        if raw.startswith(magic):
            raise UploadError(f"this is not a text file: it looks like {what}", status=415)
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            try:
                return normalized(raw.decode(encoding))
            except UnicodeDecodeError as error:
                raise UploadError(
                    f"the file starts like {encoding} text but byte {error.start} is not valid "
                    f"{encoding}. {TRIED}. Save the file as UTF-8 and upload it again"
                ) from None
    if b"\x00" in raw[:8192] or control_share(raw[:8192]) > 0.1:
        raise UploadError(
            "this looks like a binary file, not text (it holds control bytes); upload a .txt "
            "or .csv file",
            status=415,
        )
    try:
        return normalized(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start]
        raise UploadError(
            f"the file is not UTF-8 text: byte 0x{byte:02X} on line {line} is not valid UTF-8 "
            f"(is it Latin-1 or Windows-1252?). {TRIED}. Save the file as UTF-8 and upload "
            "it again",
            where=f"line {line}",
        ) from None


def control_share(sample: bytes) -> float:
    """The share of bytes that are control characters other than tab, newline and return."""
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return controls / max(1, len(sample))


def normalized(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
