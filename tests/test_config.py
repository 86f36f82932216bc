import json

import pytest

from nnlab._validation import InvalidArgument
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
    with pytest.raises(Exception):
        TrainConfig().lr = 1.0


@pytest.mark.parametrize("make, name", [
    (lambda: TrainConfig(lr=0), "lr"), (lambda: TrainConfig(lr=float("nan")), "lr"),
    (lambda: TrainConfig(epochs=-3), "epochs"), (lambda: TrainConfig(optimizer="adamm"), "optimizer"),
    (lambda: TrainConfig(loss="hinge"), "loss"), (lambda: ModelConfig(activation="rleu"), "activation"),
    (lambda: ModelConfig(hidden_sizes=(8, 0)), "hidden_sizes"), (lambda: ModelConfig(dropout=1.0), "dropout"),
    (lambda: DataConfig(dataset="nope"), "dataset"), (lambda: DataConfig(test_fraction=1.0), "test_fraction"),
    (lambda: DataConfig(dataset="csv"), "path"), (lambda: DataConfig(dataset="xor", classes=3), "classes"),
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
