"""engine.csv_data: the student's own CSV; every bad file is rejected naming its line and column."""

from __future__ import annotations

import numpy as np
import pytest

from engine import csv_data, datasets


def _write(tmp_path, text, name="data.csv", raw=None):
    path = tmp_path / name
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_header_string_labels_and_mapping(tmp_path):
    path = _write(tmp_path, "height,weight,species\n1.0,2.0,dog\n3,4,cat\n5,6,dog\n7,8,cat\n")
    data = csv_data.load_csv(path)
    assert data.has_header and data.delimiter == ","
    assert data.class_names == ("cat", "dog")  # sorted; the mapping kept for the legend
    np.testing.assert_array_equal(data.y, [1, 0, 1, 0])
    np.testing.assert_array_equal(data.x, [[1, 2], [3, 4], [5, 6], [7, 8]])
    assert data.feature_names == ("height", "weight") and data.label_name == "species"


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_delimiter_sniffed_without_header(tmp_path, sep):
    rows = ["0.5", "1.5", "2"], ["1", "-2", "10"], ["3", "4e-1", "2"], ["7", "8", "10"]
    path = _write(tmp_path, "\n".join(sep.join(r) for r in rows) + "\n")
    data = csv_data.load_csv(path)
    assert data.delimiter == sep and not data.has_header
    assert data.class_names == ("2", "10")  # numeric labels sort as numbers
    np.testing.assert_array_equal(data.y, [0, 1, 0, 1])
    assert data.x[2, 1] == pytest.approx(0.4)


def test_label_by_name_and_index(tmp_path):
    path = _write(tmp_path, "y,a,b\nA,1,2\nB,3,4\nA,5,6\nB,7,8\n")
    by_name = csv_data.load_csv(path, label="y")
    by_index = csv_data.load_csv(path, label=0)
    np.testing.assert_array_equal(by_name.x, by_index.x)
    np.testing.assert_array_equal(by_name.x, [[1, 2], [3, 4], [5, 6], [7, 8]])
    with pytest.raises(ValueError, match="no column named 'z'"):
        csv_data.load_csv(path, label="z")


def test_round_trip_and_datasets_reexport(tmp_path):
    x = np.random.default_rng(0).normal(size=(10, 2))
    y = np.array([0, 1] * 5)
    path = tmp_path / "drawn.csv"
    csv_data.save_csv(path, x, y, ("red", "blue"))
    data = datasets.load_csv(path)
    np.testing.assert_array_equal(data.x, x)
    assert [data.class_names[k] for k in data.y] == ["red", "blue"] * 5


BAD = [  # (name, content, label, message, line, column)
    ("missing", "a,b,c\n1,2,x\n3,,y\n4,5,x\n6,7,y\n", "missing value", 3, "2 ('b')"),
    ("non_numeric", "a,b,c\n1,2,x\n3,abc,y\n4,5,x\n6,7,y\n", "'abc' is not a number", 3, "2 ('b')"),
    ("nan", "1,2,0\n3,4,1\nnan,5,0\n6,7,1\n", "NaN/inf", 3, "1 ('x1')"),
    ("inf", "1,2,0\n3,4,1\n5,6,0\n6,-inf,1\n", "NaN/inf", 4, "2 ('x2')"),
    ("one_class", "1,2,a\n3,4,a\n5,6,a\n", "need at least 2 classes", None, "3"),
    ("single_sample", "1,2,a\n3,4,a\n5,6,b\n7,8,c\n9,9,c\n", "class 'b' has a single sample", 3, "3"),
    ("ragged", "1,2,a\n3,4,b\n5,a\n7,8,b\n", "ragged row", 3, "3"),
    ("missing_label", "1,2,a\n3,4,\n5,6,b\n7,8,a\n9,9,b\n", "missing label", 2, "3"),
]


@pytest.mark.parametrize("name,content,message,line,column", BAD, ids=[b[0] for b in BAD])
def test_bad_csv_names_line_and_column(tmp_path, name, content, message, line, column):
    path = _write(tmp_path, content, name + ".csv")
    with pytest.raises(ValueError) as info:
        csv_data.load_csv(path)
    text = str(info.value)
    assert message in text
    if line is not None:
        assert f"line {line}" in text
    assert f"column {column}" in text


def test_empty_binary_non_utf8_and_row_limit(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        csv_data.load_csv(_write(tmp_path, "", "empty.csv"))
    with pytest.raises(ValueError, match="empty"):
        csv_data.load_csv(_write(tmp_path, "\n\n  \n", "blank.csv"))
    with pytest.raises(ValueError, match="line 2: this is a binary file"):
        csv_data.load_csv(_write(tmp_path, None, "bin.csv", raw=b"1,2,3\n\x89PNG\x00\x00\x01"))
    with pytest.raises(ValueError, match="line 3: the text is not UTF-8"):
        csv_data.load_csv(_write(tmp_path, None, "latin.csv", raw="a,b,c\n1,2,x\n3,4,caf\xe9\n".encode("latin-1")))
    rows = "".join(f"{i},{i % 2}\n" for i in range(30))
    with pytest.raises(ValueError, match="line 26: more than 25 data rows"):
        csv_data.load_csv(_write(tmp_path, rows, "big.csv"), max_rows=25)
    assert csv_data.load_csv(tmp_path / "big.csv", max_rows=30).x.shape == (30, 1)
    with pytest.raises(ValueError, match="one column only"):
        csv_data.load_csv(_write(tmp_path, "1\n2\n3\n", "single.csv"))
    with pytest.raises(ValueError, match="header row but no data"):
        csv_data.load_csv(_write(tmp_path, "a,b,c\n", "header.csv"))


def test_standardize_uses_train_statistics_and_pca_plane():
    rng = np.random.default_rng(1)
    train = rng.normal([5.0, -3.0, 100.0], [2.0, 0.5, 30.0], size=(500, 3))
    test = rng.normal(size=(7, 3))
    mean, std, z_train, z_test = csv_data.standardize(train, test)
    np.testing.assert_allclose(z_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z_train.std(axis=0), 1, rtol=1e-12)
    np.testing.assert_allclose(z_test, (test - mean) / std)
    const = np.column_stack([np.ones(4), np.arange(4.0)])
    assert np.isfinite(csv_data.standardize(const)[2]).all()
    x = rng.normal(size=(400, 3)) * [3.0, 1.0, 0.1]
    centre, comps = csv_data.pca_2d(x)
    np.testing.assert_allclose(comps @ comps.T, np.eye(2), atol=1e-12)
    assert abs(comps[0, 0]) > 0.99 and abs(comps[1, 1]) > 0.99  # the two widest axes, in order
