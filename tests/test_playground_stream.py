"""TensorFlow Playground's random stream, data and initial weights, against values taken from JavaScript
(seedrandom 2.4.4 and d3 3.5.17 under Node; see tests/data/tf_playground_stream.json)."""
import json
from pathlib import Path

import numpy as np
import pytest

from nnlab._validation import InvalidArgument
from nnlab.config import DataConfig
from nnlab.data.playground_stream import STREAM_DATASETS, playground_stream, stream_weights
from nnlab.data.prepare import prepare
from nnlab.data.seedrandom import SeedRandom, playground_seed, seed_from_random

REF = json.loads((Path(__file__).parent / "data" / "tf_playground_stream.json").read_text())


@pytest.mark.parametrize("case", REF["seedrandom"], ids=lambda c: c["seed"][:8] or "empty")
def test_seedrandom_gives_javascripts_doubles_bit_for_bit(case):
    rng = SeedRandom(case["seed"])
    draws = [rng.random() for _ in range(1000)]
    assert (draws[0], draws[1], draws[999]) == (case["draw_0"], case["draw_1"], case["draw_999"])
    assert all(0 <= d < 1 for d in draws)


def test_a_seed_must_be_a_string_as_in_the_url():
    with pytest.raises(TypeError, match="string"):
        SeedRandom(0.14372)


def test_seed_strings_and_regenerate_draws():
    assert playground_seed(14372) == "0.14372" and playground_seed(42) == "0.00042"
    assert seed_from_random(0.121734) == 12173 and seed_from_random(0.121735001) == 12174
    assert seed_from_random(0.015625) == 1563        # an exact tie rounds up, as toFixed does
    assert seed_from_random(0.9999951) == 0          # "1.00000" wraps


def _sum(values):
    total = 0.0
    for k, v in enumerate(values):
        total += float(v) * (k + 1)
    return total


@pytest.mark.parametrize("name", list(STREAM_DATASETS))
def test_the_playgrounds_data_split_weights_and_next_seed_are_reproduced_exactly(name):
    ref = REF["datasets"][name]
    n = 1200 if name.startswith("reg") else 500
    X, y, stream = playground_stream(name, n, ref["noise"], int(ref["seed"][2:]))
    assert X.shape == (n, 2) and y.dtype == (np.float64 if name.startswith("reg") else np.int64)
    # Every point: coordinates equal up to the last bit or two (JavaScript's sin, cos and log are V8's own), the
    # class labels exactly, the regression targets to 1e-15.
    js = np.column_stack([ref["x"], ref["y"]])
    assert np.max(np.abs(X - js)) <= 2e-15            # an ulp or two of numbers up to 6 (measured: 8.9e-16)
    assert np.mean(X == js) > 0.9                     # most are bit for bit
    if name.startswith("reg"):
        np.testing.assert_allclose(y, ref["label"], rtol=0, atol=1e-15)
    else:
        assert y.tolist() == ref["label"]
    assert abs(_sum(X[:, 0]) - ref["sums"][0]) <= 1e-9 and abs(_sum(y) - ref["sums"][2]) <= 1e-9
    theta = stream_weights(ref["shape"], stream)
    weights, at = [], 0
    for a, b in zip(ref["shape"][:-1], ref["shape"][1:]):
        weights += theta[at:at + a * b].tolist()
        assert np.all(theta[at + a * b:at + a * b + b] == 0.1)
        at += a * b + b
    assert weights == ref["weights"] and at == len(theta)
    assert stream_weights(ref["shape"], stream)[:len(ref["reset_weights"])].tolist() == ref["reset_weights"]
    assert playground_seed(seed_from_random(stream.random())) == ref["next_seed"]
    assert n * ref["perc"] // 100 == ref["cut"]


def test_init_zero_gives_zeros_but_draws_the_weights_as_the_playground_does():
    a, b = SeedRandom("0.5"), SeedRandom("0.5")
    assert not stream_weights((2, 3, 1), a, zero=True).any()
    stream_weights((2, 3, 1), b)
    assert a.random() == b.random()                   # both moved on by the 9 weights


def test_an_odd_size_is_refused_where_the_playground_draws_half_per_class():
    with pytest.raises(ValueError, match="even"):
        playground_stream("circle", 201, 0.0, 1)
    with pytest.raises(InvalidArgument, match="even"):
        DataConfig(dataset="spiral", rng="seedrandom", n=201)
    assert len(playground_stream("xor", 201, 0.0, 1)[0]) == 201


def test_prepare_with_seedrandom_cuts_the_playgrounds_shuffled_points():
    ref = REF["datasets"]["xor"]
    cfg = DataConfig(dataset="xor", noise=ref["noise"], seed=int(ref["seed"][2:]), rng="seedrandom",
                     test_fraction=1 - ref["perc"] / 100)
    data = prepare(cfg)
    X, y, _ = playground_stream("xor", 500, ref["noise"], int(ref["seed"][2:]))
    assert len(data.X_train) == ref["cut"] and np.array_equal(data.X_train, X[:ref["cut"]])
    assert np.array_equal(data.X_test, X[ref["cut"]:]) and list(data.classes) == [-1, 1]
    assert stream_weights(ref["shape"], data.stream)[0] == ref["weights"][0]


def test_bad_seedrandom_configs_are_refused():
    with pytest.raises(InvalidArgument, match="seedrandom"):
        DataConfig(dataset="moons", rng="seedrandom")
    with pytest.raises(InvalidArgument, match="0..99999"):
        DataConfig(dataset="circle", rng="seedrandom", seed=100_000)
    with pytest.raises(InvalidArgument, match="rng"):
        DataConfig(dataset="circle", rng="mersenne")
