import json

import pytest

from nnlab._validation import MAX_SEED, InvalidArgument
from nnlab.config import PRESETS, DataConfig, ModelConfig, RunConfig, TrainConfig


def test_json_round_trip(tmp_path):
    cfg = PRESETS["seed-circle"].replace(model={"hidden_sizes": [4, 3]}, train={"batch_size": 32})
    path = tmp_path / "c.json"
    path.write_text(cfg.to_json())
    again = RunConfig.from_json(path)
    assert again == cfg
    assert again.model.hidden_sizes == (4, 3)


def test_seed_preset_is_the_seeds_program():
    cfg = PRESETS["seed-circle"]
    assert (cfg.data.dataset, cfg.model.hidden_sizes, cfg.model.activation) == ("seed-circle", (8,) * 5, "relu")
    assert (cfg.train.optimizer, cfg.train.lr, cfg.train.epochs, cfg.train.batch_size, cfg.train.loss) == \
        ("adam", 1e-3, 2000, None, "cross-entropy")


def test_configs_are_frozen():
    import dataclasses
    with pytest.raises(dataclasses.FrozenInstanceError):
        TrainConfig().lr = 1.0


@pytest.mark.parametrize("make, name", [
    (lambda: TrainConfig(lr=0), "lr"), (lambda: TrainConfig(lr=float("nan")), "lr"),
    (lambda: TrainConfig(epochs=-3), "epochs"), (lambda: TrainConfig(optimizer="adamm"), "optimizer"),
    (lambda: TrainConfig(loss="hinge"), "loss"), (lambda: ModelConfig(activation="rleu"), "activation"),
    (lambda: ModelConfig(hidden_sizes=(8, 0)), "hidden_sizes"), (lambda: ModelConfig(dropout=1.0), "dropout"),
    (lambda: DataConfig(dataset="nope"), "dataset"), (lambda: DataConfig(test_fraction=1.0), "test_fraction"),
    (lambda: DataConfig(dataset="csv"), "path"), (lambda: DataConfig(dataset="xor", classes=3), "classes"),
    (lambda: DataConfig(seed=2**63), "seed"), (lambda: TrainConfig(seed=MAX_SEED + 1), "seed"),
    (lambda: TrainConfig(seed=-1), "seed"), (lambda: TrainConfig(seed=True), "seed"),
    (lambda: ModelConfig(batch_norm="yes"), "batch_norm"), (lambda: ModelConfig(residual=1), "residual"),
    (lambda: DataConfig(standardize="no"), "standardize"), (lambda: TrainConfig(epochs=2**63), "epochs"),
    (lambda: ModelConfig(hidden_sizes=(8, 2**63)), "hidden_sizes"),
])
def test_bad_values_fail_early_naming_the_field(make, name):
    with pytest.raises(InvalidArgument) as err:
        make()
    assert err.value.argument == name


def test_unknown_fields_are_rejected(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"train": {"learning_rate": 0.1}}))
    with pytest.raises(InvalidArgument, match="learning_rate"):
        RunConfig.from_json(path)


def test_malformed_json_names_the_file(tmp_path):
    path = tmp_path / "c.json"
    path.write_text("{nope")
    with pytest.raises(InvalidArgument, match="not valid JSON"):
        RunConfig.from_json(path)


def test_seeds_run_up_to_the_stated_bound():
    # torch's CPU generator keeps a seed's low 32 bits: 2**32 - 1 is the largest seed that starts its own weights
    assert MAX_SEED == 2**32 - 1
    assert DataConfig(seed=MAX_SEED).seed == TrainConfig(seed=MAX_SEED).seed == MAX_SEED
    with pytest.raises(InvalidArgument, match=r"in the range \[0, 4294967295\].*Got 4294967296 instead"):
        TrainConfig(seed=MAX_SEED + 1)


@pytest.mark.parametrize("content, shown", [
    (b'{"train": {"lr": 0.1}, "note": "caf\xe9"}', "it is not UTF-8 text (byte 0xe9 on line 1)"),   # Latin-1
    (b"\x00\x01binary", "not valid JSON"),
    (b"[1, 2]", "A run config must be a JSON object. Got [1, 2] instead."),
    (b'{"data": [1]}', "'data' in the config must be a JSON object"),
    (b'{"train": {"seed": 1.5}}', "'train.seed' must be an integer in the range [0, 4294967295] (2**32 - 1). Got 1.5"),
    (b'{"model": {"hidden_sizes": "88"}}', "'model.hidden_sizes' must be a sequence of positive integers"),
    (b'{"train": {"epochs": 1e999}}', "'train.epochs' must be an integer >= 1. Got inf instead."),
    (b"[" * 100_000, "nested too deeply"),
])
def test_a_bad_config_file_is_one_error_naming_the_file_and_the_field(tmp_path, content, shown):
    path = tmp_path / "c.json"
    path.write_bytes(content)
    with pytest.raises(InvalidArgument) as err:
        RunConfig.from_json(path)
    assert err.value.argument == "config" and str(path) in str(err.value) and shown in str(err.value)
    assert "TrainConfig" not in str(err.value)


def test_a_config_file_saved_with_a_byte_order_mark_or_as_utf16_reads(tmp_path):
    cfg = PRESETS["seed-circle"].replace(train={"epochs": 7})
    for name, data in (("bom.json", b"\xef\xbb\xbf" + cfg.to_json().encode()),
                       ("u16.json", cfg.to_json().encode("utf-16"))):
        (tmp_path / name).write_bytes(data)
        assert RunConfig.from_json(tmp_path / name) == cfg
