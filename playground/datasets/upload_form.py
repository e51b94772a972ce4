"""The upload form's fields, besides the file, its kind and its name."""

# Choices a person may make when the guess from the file is not what they meant.
CHOICE_FIELDS = ("time_column", "text_column", "label_column", "missing")
