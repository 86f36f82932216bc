"""The training widget, driven from Python as a notebook user drives it: each change retrains and redraws."""
import pytest

pytest.importorskip("ipywidgets")
from traitlets import TraitError  # noqa: E402

from nnlab.widgets import TrainingWidget  # noqa: E402


@pytest.fixture(scope="module")
def widget():
    return TrainingWidget(epochs=60)


def test_it_trains_and_draws_when_made(widget):
    assert bytes(widget.image.value).startswith(b"\x89PNG") and len(bytes(widget.image.value)) > 5000
    assert "final training accuracy" in widget.numbers.value
    assert widget.last["config"].train.engine == "fast" and widget.last["config"].train.epochs == 60


def test_a_change_retrains_with_the_new_setting_and_redraws(widget):
    before = bytes(widget.image.value)
    widget.controls["activation"].value = "relu"
    assert widget.last["config"].model.activation == "relu" and bytes(widget.image.value) != before
    widget.controls["layers"].value = 3
    widget.controls["width"].value = 5
    assert widget.last["config"].model.hidden_sizes == (5, 5, 5)
    widget.controls["dataset"].value = "spiral"
    assert widget.last["config"].data.dataset == "spiral"
    from nnlab.numbers import accuracy_text
    assert accuracy_text(widget.last["final"]["train_accuracy"]) in widget.numbers.value


def test_bad_values_are_refused_by_the_controls_own_bounds(widget):
    widget.controls["lr"].value = 100.0              # a slider clamps to its range
    assert widget.controls["lr"].value == 1.0
    widget.controls["epochs"].value = 0
    assert widget.controls["epochs"].value == 10
    with pytest.raises(TraitError):
        widget.controls["activation"].value = "rleu"   # a menu takes only its options
    assert widget.last["config"].model.activation in {"relu", "tanh"}
