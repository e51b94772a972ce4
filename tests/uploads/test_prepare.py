"""Reading people's files: delimiters, decimal marks, headers, encodings, time columns."""

import codecs

import pytest

from sequences.uploads import UploadError, prepare


def series_csv(n=30, sep=",", decimal=".", header="t,value"):
    rows = [f"{i}{sep}{str(i * 1.5).replace('.', decimal)}" for i in range(n)]
    return (header.replace(",", sep) + "\n" + "\n".join(rows) + "\n").encode()


@pytest.mark.parametrize(
    "sep, decimal", [(",", "."), (";", ","), ("\t", "."), ("|", "."), (";", ".")]
)
def test_delimiters_and_decimal_marks_are_detected(sep, decimal):
    prepared = prepare(series_csv(sep=sep, decimal=decimal), "series")
    assert prepared.summary["columns"] == ["t", "value"]
    assert prepared.data["values"][3] == [3.0, 4.5]


def test_a_file_without_a_header_gets_numbered_columns():
    prepared = prepare(b"".join(f"{i},{i * 2}\n".encode() for i in range(30)), "series")
    assert (
        prepared.summary["columns"] == ["column 1", "column 2"] and prepared.summary["rows"] == 30
    )


def test_utf16_with_a_byte_order_mark_and_utf8_with_one_are_read():
    text = series_csv().decode()
    for raw in (codecs.BOM_UTF16_LE + text.encode("utf-16-le"), codecs.BOM_UTF8 + text.encode()):
        assert prepare(raw, "series").summary["rows"] == 30


def test_a_time_column_is_parsed_sorted_and_its_gaps_reported():
    days = [f"2024-03-{d:02d}" for d in range(1, 29) if d not in (10, 11, 12)]
    rows = [f"{day},{i}" for i, day in enumerate(days)]
    rows[0], rows[1] = rows[1], rows[0]  # out of order
    prepared = prepare(("date,sales\n" + "\n".join(rows)).encode(), "series")
    s = prepared.summary
    assert s["time_column"] == "date" and s["columns"] == ["sales"]
    assert s["notes"] == ["rows were sorted by 'date'"]
    assert s["gaps"]["count"] == 1 and s["gaps"]["longest"]["after"].startswith("2024-03-09")
    assert prepared.data["time"][0].startswith("2024-03-01") and prepared.data["values"][0] == [0.0]


def test_several_value_columns_can_be_chosen():
    raw = ("a,b,c\n" + "".join(f"{i},{i * 2},{i * 3}\n" for i in range(25))).encode()
    prepared = prepare(raw, "series", {"columns": ["c", "A"]})
    assert prepared.summary["columns"] == ["c", "a"] and prepared.data["values"][2] == [6.0, 2.0]


def test_plain_text_is_summarized_with_its_most_frequent_words():
    raw = ("the cat sat on the mat. " * 20).encode()
    prepared = prepare(raw, "text")
    assert prepared.summary["words"] == 140 and prepared.preview["top_words"][0] == ["the", 40]
    assert prepared.preview["sample"].startswith("the cat")


def test_labelled_text_finds_its_text_and_label_columns_and_their_balance():
    rows = [f'"this film was {w}",{lab}' for w, lab in [("great", "pos"), ("awful", "neg")] * 8]
    raw = ("review,sentiment\n" + "\n".join(rows) + "\nok then,neu\n").encode()
    prepared = prepare(raw, "labelled-text")
    s = prepared.summary
    assert (s["text_column"], s["label_column"]) == ("review", "sentiment")
    assert s["classes"] == {"neg": 8, "pos": 8, "neu": 1}
    assert {e["label"] for e in prepared.preview["examples"]} == {"neg", "neu", "pos"}


def test_an_unknown_kind_is_a_400():
    with pytest.raises(UploadError) as error:
        prepare(b"1,2\n", "image")
    assert error.value.status == 400


@pytest.mark.parametrize("cell", ["NaN", "", "null", "inf"])
def test_a_series_whose_value_column_holds_no_numbers_is_refused_not_swapped(cell):
    """Every value missing: refused, rather than the row numbers trained on in its place."""
    raw = ("t,v\n" + "".join(f"{i},{cell}\n" for i in range(30))).encode()
    for choices in ({}, {"columns": ["v"]}, {"columns": ["v"], "missing": "interpolate"}):
        with pytest.raises(UploadError) as refused:
            prepare(raw, "series", choices)
        assert refused.value.status == 422
        assert refused.value.message.startswith(
            "column 'v' holds no numbers: every one of its 30 cells is empty, NaN or infinite"
        )
        assert "these hold numbers: 't'" in refused.value.message


def test_a_blank_column_left_by_trailing_delimiters_is_not_a_value_column():
    raw = ("t,v,\n" + "".join(f"{i},{i % 7},\n" for i in range(30))).encode()
    assert prepare(raw, "series").summary["columns"] == ["t", "v"]
