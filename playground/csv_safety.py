"""CSV cells that a spreadsheet shows as typed. A spreadsheet reads a cell that starts with
=, +, - or @ (or a tab or carriage return) as a formula, so text from strangers (names,
labels) could run one for whoever opens the file: such text gets a leading ' (OWASP's
advice). Numbers are written as they are, so a loss of -0.5 stays a number."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """The value as a CSV cell: text that a spreadsheet would read as a formula starts
    with ', anything else (numbers, None) is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values) -> list:
    return [csv_cell(value) for value in values]
