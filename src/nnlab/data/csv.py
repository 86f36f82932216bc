"""Load user data from CSV: a header ``x1,x2[,...],label`` and one numeric row per point."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from nnlab._validation import InvalidArgument

__all__ = ["CSVFormatError", "load_csv"]


class CSVFormatError(InvalidArgument):
    """A CSV file that cannot be read as data; the message names the line and the problem."""

    def __init__(self, path, line: int | None, problem: str):
        where = f"'{path}', line {line}" if line is not None else f"'{path}'"
        super().__init__(f"Cannot load {where}: {problem}", "csv")
        self.line = line


def load_csv(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read ``path`` into ``X`` (n, d) float64 and ``y`` (n,).

    The header must name the feature columns ``x1, x2, ...`` in order and end with ``label``. Labels that are
    all integers come back as int64 (classification), otherwise as float64 (regression). Blank lines are
    skipped. Any other problem raises :class:`CSVFormatError` naming the line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CSVFormatError(path, None, "no such file.") from None
    except IsADirectoryError:
        raise CSVFormatError(path, None, "it is a directory, not a file.") from None
    except UnicodeDecodeError:
        raise CSVFormatError(path, None, "not a UTF-8 text file.") from None
    except OSError as err:
        raise CSVFormatError(path, None, f"{err.strerror}.") from None

    rows = [(i, row) for i, row in enumerate(csv.reader(text.splitlines()), start=1)
            if any(cell.strip() for cell in row)]
    if not rows:
        raise CSVFormatError(path, None, "the file is empty; expected a header 'x1,x2,label' and data rows.")
    line, header = rows[0]
    header = [h.strip().lower() for h in header]
    features = header[:-1]
    if len(header) < 2 or header[-1] != "label" or features != [f"x{i + 1}" for i in range(len(features))]:
        raise CSVFormatError(path, line, f"the header must be 'x1,x2[,...],label'; got '{','.join(header)}'.")
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
                raise CSVFormatError(path, line, f"column '{header[j]}' is not a number: {cell.strip()!r}.") from None
            if not math.isfinite(v):
                raise CSVFormatError(path, line, f"column '{header[j]}' is not finite: {cell.strip()!r}.")
            values[k, j] = v
    X, y = values[:, :-1], values[:, -1]
    if np.all(y == np.round(y)):
        y = y.astype(np.int64)
    return X, y
