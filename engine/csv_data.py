"""The student's own data from a CSV file: numeric feature columns and one label column.

``load_csv(path, label=None, max_rows=MAX_ROWS) -> CsvData`` reads a small table a student made
in a spreadsheet or exported from another course. The delimiter is sniffed (comma, semicolon
or tab), a header row is detected (the first row has more non-numeric cells than the second),
the label column is the last one unless named (a header name) or given by index. Labels may be
numbers or strings; either way they become classes 0 … k−1 in sorted order and the original
names are kept (``class_names``) for the legend.

Every problem raises ``ValueError`` naming the file, the LINE and the COLUMN (1-based, as a
spreadsheet shows them), because "could not convert string to float" alone leaves a student
searching a thousand-row file: missing values, non-numeric cells, NaN/inf, ragged rows, an
empty file, binary or non-UTF-8 input, more rows than ``max_rows``, fewer than 2 classes and
a class with a single sample (it cannot be in both the train and the test split).

``standardize`` puts features on a common scale (mean 0, std 1 from the training part) so the
same learning rate works for centimetres and kilograms; ``pca_2d`` gives the plane of the two
leading principal components, where a higher-dimensional boundary can be drawn as a slice.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Default row limit: a teaching app trains live; larger tables belong in a notebook.
MAX_ROWS = 20000
DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


@dataclass(frozen=True)
class CsvData:
    """A loaded table: ``x`` float64 (n, d), ``y`` int64 classes, and their names."""

    x: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...]
    feature_names: tuple[str, ...]
    label_name: str
    name: str
    delimiter: str
    has_header: bool

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def n_features(self) -> int:
        return int(self.x.shape[1])


def _fail(path, problem: str, line: int | None = None, column: int | None = None, name: str | None = None):
    where = []
    if line is not None:
        where.append(f"line {line}")
    if column is not None:
        where.append(f"column {column}" + (f" ({name!r})" if name else ""))
    return ValueError(f"{path}: {', '.join(where) + ': ' if where else ''}{problem}")


def _decode(path, raw: bytes) -> str:
    if not raw.strip():
        raise _fail(path, "the file is empty")
    if b"\x00" in raw[:65536]:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise _fail(path, "this is a binary file, not CSV text", line=line)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise _fail(path, "the text is not UTF-8 (save the file as “CSV UTF-8”)", line=line) from None


def _sniff(text: str) -> str:
    """The delimiter that splits the first non-blank line into the most fields (comma on a tie)."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = [first.count(d) for d in DELIMITERS]
    return DELIMITERS[int(np.argmax(counts))] if max(counts) > 0 else ","


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _rows(path, text: str, delimiter: str, max_rows: int):
    """Non-blank rows with their physical line numbers; ragged rows and the row limit checked."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows, lines = [], []
    try:
        for row in reader:
            if not row or all(not c.strip() for c in row):
                continue
            rows.append([c.strip() for c in row])
            lines.append(reader.line_num)
            if len(rows) > max_rows + 1:  # +1: the header, if any
                break
    except csv.Error as err:
        raise _fail(path, f"not valid CSV ({err})", line=reader.line_num) from None
    if not rows:
        raise _fail(path, "the file is empty")
    width = len(rows[0])
    for row, line in zip(rows, lines):
        if len(row) != width:
            raise _fail(path, f"{len(row)} fields, but the first row has {width} (ragged row)", line=line,
                        column=min(len(row), width) + 1)
    if width < 2:
        raise _fail(path, f"one column only (delimiter {_DELIMITER_NAMES[delimiter]}): need at least one "
                          "feature column and a label column", line=lines[0])
    return rows, lines


def _label_column(path, label, header, width: int) -> int:
    if label is None:
        return width - 1
    if isinstance(label, str) and not label.lstrip("-").isdigit():
        if header is None:
            raise _fail(path, f"label column {label!r} given by name, but the file has no header row")
        if label not in header:
            raise _fail(path, f"no column named {label!r}; the header has: {', '.join(header)}", line=1)
        return header.index(label)
    index = int(label)
    if not -width <= index < width:
        raise _fail(path, f"label column index {index} is outside the {width} columns")
    return index % width


def _class_labels(path, cells: np.ndarray, lines: np.ndarray, column: int, name: str):
    """Labels → (int64 classes in sorted order, their names); numeric labels sort as numbers."""
    empty = cells == ""
    if empty.any():
        i = int(np.argmax(empty))
        raise _fail(path, "missing label", line=int(lines[i]), column=column, name=name)
    try:
        values = cells.astype(np.float64)
        numeric = bool(np.isfinite(values).all())
    except ValueError:
        numeric = False
    if numeric:
        uniq, y = np.unique(values, return_inverse=True)
        names = tuple(str(int(v)) if float(v).is_integer() else repr(float(v)) for v in uniq)
    else:
        uniq, y = np.unique(cells, return_inverse=True)
        names = tuple(str(v) for v in uniq)
    y = y.astype(np.int64).reshape(-1)
    counts = np.bincount(y, minlength=len(names))
    if len(names) < 2:
        raise _fail(path, f"every row has the label {names[0]!r}: need at least 2 classes", column=column, name=name)
    if (counts < 2).any():
        k = int(np.argmax(counts < 2))
        i = int(np.argmax(y == k))
        raise _fail(path, f"class {names[k]!r} has a single sample; each class needs at least 2 "
                          "(one for training, one for testing)", line=int(lines[i]), column=column, name=name)
    return y, names


def _features(path, cells: np.ndarray, lines: np.ndarray, columns: np.ndarray, names) -> np.ndarray:
    """Feature cells → float64, or the first bad cell's line and column (row-major order)."""
    empty = cells == ""
    if empty.any():
        i, j = np.unravel_index(int(np.argmax(empty)), cells.shape)
        raise _fail(path, "missing value", line=int(lines[i]), column=int(columns[j]), name=names[j])
    try:
        x = cells.astype(np.float64)
    except ValueError:
        # the error path only: find the first cell float() rejects
        bad = ~np.frompyfunc(_is_number, 1, 1)(cells).astype(bool)
        i, j = np.unravel_index(int(np.argmax(bad)), cells.shape)
        raise _fail(path, f"{str(cells[i, j])!r} is not a number", line=int(lines[i]), column=int(columns[j]),
                    name=names[j]) from None
    finite = np.isfinite(x)
    if not finite.all():
        i, j = np.unravel_index(int(np.argmax(~finite)), cells.shape)
        raise _fail(path, f"{str(cells[i, j])!r} is not a finite number (NaN/inf)", line=int(lines[i]),
                    column=int(columns[j]), name=names[j])
    return x


def load_csv(path, label=None, max_rows: int = MAX_ROWS) -> CsvData:
    """Read ``path`` (see the module docstring); ``label``: None (last column), a header name or an index."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise _fail(path, f"cannot read the file ({err.strerror or err})") from None
    text = _decode(path, raw)
    delimiter = _sniff(text)
    rows, lines = _rows(path, text, delimiter, max_rows)
    width = len(rows[0])
    non_numeric = [sum(not _is_number(c) for c in row) for row in rows[:2]]
    has_header = (non_numeric[0] > non_numeric[1]) if len(rows) > 1 else non_numeric[0] == width
    header = rows[0] if has_header else None
    if has_header:
        rows, lines = rows[1:], lines[1:]
    if not rows:
        raise _fail(path, "a header row but no data rows")
    if len(rows) > max_rows:
        raise _fail(path, f"more than {max_rows} data rows (the limit for live training)", line=lines[max_rows])
    target = _label_column(path, label, header, width)
    names = tuple(header) if header else tuple(f"x{j + 1}" if j != target else "label" for j in range(width))
    table = np.array(rows, dtype=str)
    line_numbers = np.asarray(lines, dtype=np.int64)
    feature_cols = np.array([j for j in range(width) if j != target], dtype=np.int64)
    x = _features(path, table[:, feature_cols], line_numbers, feature_cols + 1,
                  [names[j] for j in feature_cols])
    y, class_names = _class_labels(path, table[:, target], line_numbers, target + 1, names[target])
    return CsvData(np.ascontiguousarray(x), y, class_names, tuple(names[j] for j in feature_cols), names[target],
                   path.name, delimiter, has_header)


def save_csv(path, x, y, class_names=None, feature_names=None) -> None:
    """Write ``x`` and labels as a CSV with a header (what ``load_csv`` reads back)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    features = list(feature_names or (f"x{j + 1}" for j in range(x.shape[1])))
    labels = np.asarray(class_names, dtype=object)[y] if class_names is not None else y
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*features, "label"])
    writer.writerows([*(repr(float(v)) for v in row), lab] for row, lab in zip(x, labels))
    Path(path).write_text(out.getvalue(), encoding="utf-8")


def standardize(x_train, *others):
    """Features with mean 0 and std 1 on ``x_train`` (constant columns are only centred).

    Returns ``(mean, std, x_train_scaled, *others_scaled)``: the test part uses the training
    part's mean and std, as it must.
    """
    x_train = np.asarray(x_train, dtype=np.float64)
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (mean, std, (x_train - mean) / std, *((np.asarray(o, dtype=np.float64) - mean) / std for o in others))


def pca_2d(x) -> tuple[np.ndarray, np.ndarray]:
    """``(mean (d,), components (2, d))``: the plane of the two directions of largest variance.

    A point ``p`` of the plane is ``mean + p @ components`` in feature space; drawing the
    network's prediction on a grid of that plane shows a 2-D slice of its decision boundary.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError(f"pca_2d needs data of shape (n, d ≥ 2), got {x.shape}")
    mean = x.mean(axis=0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    components = vt[:2]
    # a sign convention so the view does not flip between runs: the largest entry is positive
    signs = np.sign(components[np.arange(2), np.argmax(np.abs(components), axis=1)])
    return mean, components * np.where(signs == 0, 1.0, signs)[:, None]


def is_csv(path) -> bool:
    """A path the Training panel opens as a table rather than as MNIST files."""
    return str(path).lower().endswith((".csv", ".tsv", ".txt"))
