"""The fast reading of rows (a file without quotes, one vectorised pass) agrees with the
csv module's row by row reading on every kind of file it accepts, and declines the rest."""

import csv

import numpy as np
import pytest

from sequences.uploads.rows import plain_rows, quoted_rows
from sequences.uploads.tables import sniff

PLAIN = {
    "header and numbers": "t,v\n" + "".join(f"{i},{i * 1.5}\n" for i in range(40)),
    "no final newline": "t,v\n1,2\n3,4",
    "blank and space-only lines": "t,v\n\n1,2\n   \n\t\n3,4\n\n",
    "delimiter-only rows are blank": "a;b\n1;2\n;\n ; \n3;4\n",
    "ragged rows": "a,b,c\n1,2,3\n4,5\n6,7,8,9\n",
    "tabs": "a\tb\n1\t2\n\t\n3\t4\n",
    "one column": "value\n" + "".join(f"{i}\n" for i in range(30)),
    "spaces after delimiters": "a, b\n1, 2\n3, 4\n",
    "control separators are space": "a,b\n1,2\n\x1c\x1f\n3,4\n",
}
DECLINED = {
    "quotes": 'a,b\n"1,5",2\n3,4\n',
    "not ASCII": "a,b\n1,2\né,3\n",
    "NUL": "a,b\n1,\x002\n",
    "a line past the field limit": "a\n" + "x" * (csv.field_size_limit() + 1) + "\n",
}


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_the_fast_reading_gives_the_csv_modules_rows(name):
    text = PLAIN[name]
    dialect = sniff(text)
    fast, slow = plain_rows(text, dialect), quoted_rows(text, dialect)
    assert fast is not None
    assert fast.first == slow.first
    np.testing.assert_array_equal(fast.widths, slow.widths)
    np.testing.assert_array_equal(fast.lines, slow.lines)


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_files_the_fast_reading_cannot_read_are_left_to_the_csv_module(name):
    text = DECLINED[name]
    assert plain_rows(text, sniff(text)) is None
