"""Load user data from CSV: a header ``x1,x2[,...],label`` and one numeric row per point."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from nnlab._validation import InvalidArgument

__all__ = ["CSVFormatError", "load_csv", "LABELS"]


class CSVFormatError(InvalidArgument):
    """A CSV file that cannot be read as data; the message names the line and the problem."""

    def __init__(self, path, line: int | None, problem: str):
        where = f"'{path}', line {line}" if line is not None else f"'{path}'"
        super().__init__(f"Cannot load {where}: {problem}", "csv")
        self.line = line


LABELS = ("auto", "classes")
_EXACT = 2.0**53          # whole numbers up to this size are exact in float64; larger "labels" are not classes


def load_csv(path: str | Path, labels: str = "auto") -> tuple[np.ndarray, np.ndarray]:
    """Read ``path`` into ``X`` (n, d) float64 and ``y`` (n,).

    The header must name the feature columns ``x1, x2, ...`` in order and end with ``label`` (any case, spaces
    around the names allowed). Fields are separated by commas, or by semicolons or tabs when the header has no
    comma (spreadsheets in many locales save those). The file is UTF-8, with or without the byte-order mark a
    spreadsheet's "CSV UTF-8" writes, or UTF-16 with its mark; line ends may be ``\\n`` or ``\\r\\n``. Blank lines
    are skipped.

    labels : "auto" (default): labels that are all whole numbers come back as int64 (classification),
        otherwise as float64 (regression). "classes": the labels must be whole numbers (class labels, for a
        classification loss); the first that is not raises :class:`CSVFormatError` naming its line.

    Any other problem raises :class:`CSVFormatError` naming the line.
    """
    from nnlab._validation import check_choice, decode_text, read_user_file, undecodable
    check_choice("labels", labels, LABELS, "load_csv")
    path = Path(path)
    try:
        data = read_user_file(path)
    except FileNotFoundError:
        raise CSVFormatError(path, None, "no such file.") from None
    except OSError as err:
        raise CSVFormatError(path, None, f"{err.strerror}.") from None
    try:
        text = decode_text(data)
    except UnicodeDecodeError as err:
        raise CSVFormatError(path, None, f"not a UTF-8 text file ({undecodable(err)}); save it as 'CSV UTF-8'.") \
            from None

    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = "," if "," in first else ";" if ";" in first else "\t" if "\t" in first else ","
    reader = csv.reader(lines, delimiter=delimiter)
    rows = []
    try:
        for i, row in enumerate(reader, start=1):
            if any(cell.strip() for cell in row):
                rows.append((i, row))
    except csv.Error as err:
        raise CSVFormatError(path, reader.line_num, f"{err}.") from None
    if not rows:
        raise CSVFormatError(path, None, "the file is empty; expected a header 'x1,x2,label' and data rows.")
    line, header = rows[0]
    header = [h.strip().lower() for h in header]
    features = header[:-1]
    if len(header) < 2 or header[-1] != "label" or features != [f"x{i + 1}" for i in range(len(features))]:
        raise CSVFormatError(path, line, f"the header must be 'x1,x2[,...],label'; got "
                                         f"{delimiter.join(header)!r}.")
    if len(rows) == 1:
        raise CSVFormatError(path, None, "the file has a header but no data rows.")

    values = np.empty((len(rows) - 1, len(header)))
    for k, (line, row) in enumerate(rows[1:]):
        if len(row) != len(header):
            raise CSVFormatError(path, line, f"expected {len(header)} fields ({','.join(header)}), got {len(row)}.")
        for j, cell in enumerate(row):
            try:
                v = float(cell)
            except ValueError:
                hint = " (write decimals with a point: 1.5)" if "," in cell and delimiter != "," else ""
                raise CSVFormatError(path, line, f"column '{header[j]}' is not a number: {cell.strip()!r}{hint}.") \
                    from None
            if not math.isfinite(v):
                raise CSVFormatError(path, line, f"column '{header[j]}' is not finite: {cell.strip()!r}.")
            values[k, j] = v
    X, y = values[:, :-1], values[:, -1]
    whole = (y == np.round(y)) & (np.abs(y) <= _EXACT)
    if labels == "classes" and not whole.all():
        k = int(np.argmin(whole))
        line, row = rows[1 + k]
        what = "a whole number" if abs(y[k]) <= _EXACT else "a whole number of at most 2**53"
        raise CSVFormatError(path, line, f"column 'label' is {row[-1].strip()!r}, not a class label ({what}). "
                                         "Real-valued labels are a regression target, which needs the loss 'mse'.")
    if whole.all():
        y = y.astype(np.int64)
    return X, y
