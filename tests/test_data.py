import numpy as np
import pytest

from nnlab._validation import InvalidArgument
from nnlab.data import (
    DATASETS,
    CSVFormatError,
    Standardizer,
    load_csv,
    make_circle,
    make_dataset,
    make_gauss,
    make_moons,
    make_reg_gauss,
    make_reg_plane,
    make_seed_circle,
    make_seed_linear,
    make_spiral,
    make_spirals,
    make_xor,
    make_xor4,
    to_class_indices,
    train_test_split,
)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_same_seed_same_arrays_bit_for_bit(name):
    X1, y1 = make_dataset(name, seed=7)
    X2, y2 = make_dataset(name, seed=7)
    assert X1.tobytes() == X2.tobytes() and y1.tobytes() == y2.tobytes()
    assert X1.shape == (DATASETS[name].n, 2) and y1.shape == (DATASETS[name].n,)


@pytest.mark.parametrize("name", [n for n in sorted(DATASETS) if n != "xor4"])
def test_different_seed_different_points(name):
    X1, _ = make_dataset(name, noise=0.1 if name in ("spiral", "spirals", "moons") else None, seed=1)
    X2, _ = make_dataset(name, noise=0.1 if name in ("spiral", "spirals", "moons") else None, seed=2)
    assert not np.array_equal(X1, X2)


def test_seed_linear_follows_the_seed_formula():
    X, y = make_seed_linear(200, seed=3)
    assert X.shape == (200, 2) and X.min() >= -1 and X.max() < 1
    assert np.array_equal(y, np.where(X[:, 0] + X[:, 1] > 0, 1, -1))
    assert set(np.unique(y)) == {-1, 1}


def test_seed_circle_follows_the_seed_formula():
    X, y = make_seed_circle(1000, seed=0)
    # Re-derive r and theta from the same stream: per point r then theta.
    draws = np.random.default_rng(0).random((1000, 2))
    r, theta = 2 * draws[:, 0], 2 * np.pi * draws[:, 1]
    np.testing.assert_array_equal(X, np.stack([r * np.cos(theta), r * np.sin(theta)], 1))
    assert np.array_equal(y, (r >= 1.0).astype(int))
    assert np.hypot(X[:, 0], X[:, 1]).max() < 2.0


def test_label_flip_noise_only_changes_labels_of_seed_data():
    X0, y0 = make_seed_circle(1000, noise=0.0, seed=0)
    X1, y1 = make_seed_circle(1000, noise=0.2, seed=0)
    np.testing.assert_array_equal(X0, X1)
    assert 0.1 < np.mean(y0 != y1) < 0.3


def test_circle_sizes_radii_and_labels():
    X, y = make_circle(500, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert len(X) == 500
    assert r[:250].max() < 2.5 and r[250:].min() >= 3.5 and r[250:].max() <= 5.0
    assert np.array_equal(y, np.where(r < 2.5, 1, -1))


@pytest.mark.parametrize("make", [make_circle, make_xor])
def test_playground_label_noise_flips_labels_but_does_not_move_points(make):
    X0, y0 = make(500, noise=0.0, seed=4)
    X1, y1 = make(500, noise=0.5, seed=4)
    np.testing.assert_array_equal(X0, X1)
    assert (y0 != y1).sum() > 10


def test_xor_is_padded_off_the_axes_and_labelled_by_quadrant():
    X, y = make_xor(500, seed=0)
    assert np.abs(X).min() >= 0.3 and np.abs(X).max() <= 5.3
    assert np.array_equal(y, np.where(X[:, 0] * X[:, 1] >= 0, 1, -1))


def test_gauss_variance_follows_the_noise_map():
    X, y = make_gauss(20000, noise=0.0, seed=0)
    pos = X[y == 1]
    np.testing.assert_allclose(pos.mean(0), [2, 2], atol=0.05)
    np.testing.assert_allclose(pos.var(0), [0.5, 0.5], rtol=0.05)     # noise 0 -> variance 0.5
    X, y = make_gauss(20000, noise=0.5, seed=0)
    np.testing.assert_allclose(X[y == -1].var(0), [4, 4], rtol=0.05)  # noise 0.5 -> variance 4


def test_spiral_without_noise_is_the_formula():
    X, y = make_spiral(500, seed=0)
    i = np.arange(250)
    r, t = i / 250 * 5, 1.75 * i / 250 * 2 * np.pi
    np.testing.assert_allclose(X[:250], np.stack([r * np.sin(t), r * np.cos(t)], 1))
    np.testing.assert_allclose(X[250:], np.stack([r * np.sin(t + np.pi), r * np.cos(t + np.pi)], 1))
    assert (y[:250] == 1).all() and (y[250:] == -1).all()


def test_regression_targets():
    X, y = make_reg_plane(1200, seed=0)
    assert X.shape == (1200, 2) and np.abs(X).max() <= 6
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10)
    X, y = make_reg_gauss(1200, seed=0)
    assert y.dtype == np.float64 and np.abs(y).max() <= 1
    # At a bump's centre the target is its sign: probe with the same formula through a crafted point.
    from nnlab.data.playground import _BUMPS
    for cx, cy, sign in _BUMPS:
        d = np.hypot(cx - _BUMPS[:, 0], cy - _BUMPS[:, 1])
        values = _BUMPS[:, 2] * np.clip(1 - d / 2, 0, 1)
        assert values[np.argmax(np.abs(values))] == sign


def test_xor4_is_the_four_boolean_points():
    X, y = make_xor4()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [-1, 1, 1, -1])
    with pytest.raises(InvalidArgument, match="multiple of 4"):
        make_xor4(6)


def test_moons_match_scikit_learn():
    from sklearn.datasets import make_moons as sk_moons
    X, y = make_moons(101, noise=0.0)
    X_ref, y_ref = sk_moons(101, shuffle=False, noise=None)
    np.testing.assert_allclose(X, X_ref, atol=1e-12)
    np.testing.assert_array_equal(y, y_ref)


def test_spirals_have_k_classes():
    X, y = make_spirals(301, classes=5, seed=0)
    assert len(X) == 301 and set(np.unique(y)) == set(range(5))
    assert np.bincount(y).max() - np.bincount(y).min() <= 1


@pytest.mark.parametrize("kwargs, argument", [({"n": 0}, "n"), ({"noise": -0.1}, "noise"), ({"noise": 0.9}, "noise"),
                                              ({"seed": -1}, "seed")])
def test_bad_generator_arguments_name_the_argument(kwargs, argument):
    with pytest.raises(InvalidArgument) as err:
        make_circle(**{"n": 10, **kwargs})
    assert err.value.argument == argument and "Got" in str(err.value)


def test_unknown_dataset_lists_the_choices():
    with pytest.raises(InvalidArgument, match="seed-circle"):
        make_dataset("circel")


def test_split_is_seeded_disjoint_and_floors_the_train_size():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_fraction=0.35, seed=1)
    assert len(Xtr) == 6 and len(Xte) == 4                      # floor(10 * 0.65) = 6
    assert sorted(np.concatenate([ytr, yte])) == list(range(10))
    np.testing.assert_array_equal(Xtr[:, 0] / 2, ytr)          # rows stay with their labels
    again = train_test_split(X, y, test_fraction=0.35, seed=1)
    np.testing.assert_array_equal(again[2], ytr)


def test_standardizer_uses_training_statistics():
    X = np.array([[1.0, 5.0], [3.0, 5.0]])
    s = Standardizer().fit(X)
    np.testing.assert_allclose(s.transform(X), [[-1, 0], [1, 0]])   # constant column keeps scale 1
    np.testing.assert_allclose(s.transform(np.array([[2.0, 6.0]])), [[0, 1]])


def test_class_indices_map_minus_one_to_zero():
    idx, classes = to_class_indices(np.array([1, -1, 1]))
    np.testing.assert_array_equal(idx, [1, 0, 1])
    np.testing.assert_array_equal(classes, [-1, 1])


def test_load_csv_reads_features_and_integer_labels(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("x1,x2,label\n0.5,1.5,1\n\n-1,2,0\n")
    X, y = load_csv(f)
    np.testing.assert_array_equal(X, [[0.5, 1.5], [-1, 2]])
    assert y.dtype == np.int64 and list(y) == [1, 0]


def test_load_csv_float_labels_mean_regression(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("x1,label\n1,0.25\n2,0.5\n")
    X, y = load_csv(f)
    assert X.shape == (2, 1) and y.dtype == np.float64


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("a,b,label\n1,2,3\n", "header"),
    ("x1,x2,label\n", "no data rows"),
    ("x1,x2,label\n1,2,0\n1,2\n", "line 3: expected 3 fields"),
    ("x1,x2,label\n1,two,0\n", "line 2: column 'x2' is not a number"),
    ("x1,x2,label\n1,nan,0\n", "line 2: column 'x2' is not finite"),
])
def test_load_csv_rejects_malformed_files_naming_the_line(tmp_path, text, message):
    f = tmp_path / "bad.csv"
    f.write_text(text)
    with pytest.raises(CSVFormatError, match=message):
        load_csv(f)


def test_load_csv_missing_file(tmp_path):
    with pytest.raises(CSVFormatError, match="no such file"):
        load_csv(tmp_path / "nope.csv")


def test_load_csv_takes_a_spreadsheets_csv_utf8(tmp_path):
    # "CSV UTF-8" from a spreadsheet: a byte-order mark, Windows line ends, the header as the user typed it
    f = tmp_path / "sheet.csv"
    f.write_bytes(b"\xef\xbb\xbf X1 , x2 ,Label \r\n0.5,1.5,1\r\n\r\n-1,2,0\r\n")
    X, y = load_csv(f)
    np.testing.assert_array_equal(X, [[0.5, 1.5], [-1, 2]])
    assert y.dtype == np.int64 and list(y) == [1, 0]


def test_load_csv_takes_semicolons_and_utf16_tab_separated_text(tmp_path):
    (tmp_path / "semi.csv").write_text("x1;x2;label\n0.5;1.5;1\n-1;2;0\n")
    (tmp_path / "u16.csv").write_bytes("x1\tx2\tlabel\r\n0.5\t1.5\t1\r\n-1\t2\t0\r\n".encode("utf-16"))
    for name in ("semi.csv", "u16.csv"):
        X, y = load_csv(tmp_path / name)
        np.testing.assert_array_equal(X, [[0.5, 1.5], [-1, 2]])
        assert list(y) == [1, 0]


@pytest.mark.parametrize("data, message", [
    (b"x1,x2,label\n1,2,0\n2,caf\xe9,1\n", "not a UTF-8 text file (byte 0xe9 on line 3)"),
    (b"x1;x2;label\n1,5;2;0\n", "line 2: column 'x1' is not a number: '1,5' (write decimals with a point: 1.5)"),
    (b'x1,x2,label\n1,2,0\n"' + b"1" * 200_000 + b'",2,1\n', "line 3: field larger than field limit"),
])
def test_load_csv_names_the_byte_or_line_of_a_bad_file(tmp_path, data, message):
    f = tmp_path / "bad.csv"
    f.write_bytes(data)
    with pytest.raises(CSVFormatError) as err:
        load_csv(f)
    assert message in str(err.value)


def test_load_csv_class_labels_must_be_whole_numbers_naming_the_line(tmp_path):
    f = tmp_path / "labels.csv"
    f.write_text("x1,x2,label\n1,2,0\n2,3,1.5\n3,4,1\n")
    assert load_csv(f)[1].dtype == np.float64                       # auto: real-valued labels, a regression
    with pytest.raises(CSVFormatError) as err:
        load_csv(f, labels="classes")
    assert err.value.line == 3 and "column 'label' is '1.5', not a class label" in str(err.value)


def test_prepare_reads_a_csvs_labels_as_the_loss_needs_them(tmp_path):
    from nnlab.config import DataConfig
    from nnlab.data.prepare import prepare
    f = tmp_path / "labels.csv"
    f.write_text("x1,x2,label\n1,2,0\n2,3,1.5\n")
    cfg = DataConfig(dataset="csv", path=str(f))
    with pytest.raises(CSVFormatError, match="line 3: column 'label'"):
        prepare(cfg, loss="cross-entropy")
    assert prepare(cfg, loss="mse").task == "regression"
    f.write_text("x1,x2,label\n1,2,0\n2,3,0\n")
    with pytest.raises(CSVFormatError, match="column 'label' holds a single class, 0"):
        prepare(cfg, loss="cross-entropy")


def test_seeds_beyond_the_bound_are_refused_everywhere_data_is_drawn():
    from nnlab._validation import MAX_SEED
    assert len(make_moons(10, seed=MAX_SEED)[0]) == 10
    for draw in (lambda: make_moons(10, seed=MAX_SEED + 1), lambda: make_dataset("xor", seed=2**63),
                 lambda: train_test_split(np.zeros((4, 2)), np.arange(4), 0.5, seed=2**64)):
        with pytest.raises(InvalidArgument) as err:
            draw()
        assert err.value.argument == "seed" and "[0, 4294967295]" in str(err.value)


@pytest.mark.parametrize("rng", ["numpy", "seedrandom"])
def test_prepare_takes_feature_columns_and_added_points_after_the_split(rng):
    from nnlab.config import DataConfig
    from nnlab.data.features import FEATURES, feature_matrix
    from nnlab.data.prepare import prepare
    cfg = DataConfig(dataset="circle", noise=0.1, seed=5, test_fraction=0.3, rng=rng)
    plain = prepare(cfg)
    added = [(0.5, -1.0, 1), (2.0, 3.0, -1)]
    data = prepare(cfg, features=["x", "xTimesY", "sinY"], added=added)
    assert np.array_equal(data.points_train[:-2], plain.X_train) and np.array_equal(data.points_test, plain.X_test)
    assert data.points_train[-2:].tolist() == [[0.5, -1.0], [2.0, 3.0]]
    assert data.y_train[-2:].tolist() == [1, 0] and data.classes.tolist() == [-1, 1]     # labels as indices
    x, y = data.points_train[:, 0], data.points_train[:, 1]
    assert data.X_train.dtype == np.float32 and data.n_features == 3
    np.testing.assert_array_equal(data.X_train, np.stack([x, x * y, np.sin(y)], axis=1).astype(np.float32))
    assert np.array_equal(data.X_test, feature_matrix(plain.X_test, ["x", "xTimesY", "sinY"]))
    assert len(FEATURES) == 7 and plain.points_train is plain.X_train


def test_prepare_arrays_splits_points_in_hand_as_prepare_splits_a_data_set():
    from nnlab.config import DataConfig
    from nnlab.data.prepare import prepare, prepare_arrays
    X, y = make_dataset("moons", seed=3)
    data = prepare_arrays(X, y, 0.25, 11)
    ref = prepare(DataConfig(dataset="moons", seed=3, test_fraction=0.25), loss=None)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, 0.25, 11)
    assert np.array_equal(data.X_train, X_tr) and np.array_equal(data.X_test, X_te)
    assert np.array_equal(data.y_train, y_tr) and data.task == "classification" == ref.task
    assert data.domain == pytest.approx(np.abs(X).max() * 1.1)
    reg = prepare_arrays(X, X[:, 0] * 1.0, 0.5, 0, added=[(0.0, 0.0, 7)])
    assert reg.task == "regression" and reg.classes is None and reg.y_train[-1] == 7.0


@pytest.mark.parametrize("n", [4, 200, 500, 1000, 1200])
def test_split_fraction_keeps_the_playgrounds_share_of_points_to_train(n):
    from nnlab.data.split import split_fraction
    for p in range(10, 100, 10):
        X = np.zeros((n, 2))
        X_tr, _, _, _ = train_test_split(X, np.zeros(n), split_fraction(n, p), 0)
        assert len(X_tr) == n * p // 100
