import numpy as np
import pytest
from PIL import Image

from nnlab.data import make_dataset, to_class_indices
from nnlab.programs import classification_program, diagnostics_program, perceptron_program
from nnlab.viz import plot_dataset, save
from nnlab.viz._style import BLUE, RED
from pixels import colour_count, shows_both_classes


@pytest.fixture(scope="module")
def seed_figures(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    perceptron_program(out)
    classification = classification_program(out, epochs=500)
    diagnostics = diagnostics_program(out, epochs=300)
    return out, classification, diagnostics


@pytest.mark.parametrize("name", ["perceptron_visualization.png", "classification_visualization.png"])
def test_seed_figures_show_both_classes(seed_figures, name):
    out, *_ = seed_figures
    assert shows_both_classes(out / name)


def test_classification_figure_shows_both_decision_regions(seed_figures):
    out, classification, _ = seed_figures
    # Regions are the class colours at alpha 0.25 over white.
    light = lambda hex_colour: "#" + "".join(f"{round(255 - 0.25 * (255 - int(hex_colour[i:i + 2], 16))):02x}"
                                             for i in (1, 3, 5))
    assert colour_count(out / "classification_visualization.png", light(RED), 12) > 20000
    assert colour_count(out / "classification_visualization.png", light(BLUE), 12) > 20000
    assert Image.open(out / "classification_visualization.png").size == (800, 800)
    assert classification["train_accuracy"] > 0.95


def test_loss_curve_and_gradient_heatmap_are_drawn(seed_figures):
    out, _, diagnostics = seed_figures
    assert colour_count(out / "loss_curve.png", BLUE) > 500                 # the loss line
    img = np.asarray(Image.open(out / "gradient_heatmap.png").convert("RGB"), dtype=float)
    assert img.std() > 40                                                   # a heatmap, not a blank canvas
    assert colour_count(out / "gradient_heatmap.png", RED) > 200            # the seed's |grad| line
    assert len(diagnostics["gradient_norm_first_last"]) == 6


@pytest.mark.parametrize("name", ["circle", "xor", "spiral", "gauss", "moons", "seed-circle"])
def test_dataset_plot_shows_both_classes(tmp_path, name):
    X, y = make_dataset(name, noise=0.0 if name != "moons" else 0.1)
    idx, classes = to_class_indices(y)
    path, = save(plot_dataset(X, idx, name, classes=classes), tmp_path / f"{name}.png")
    assert shows_both_classes(path)


def test_the_gradient_heatmap_shows_nan_and_zero_as_what_they_are():
    from types import SimpleNamespace

    from matplotlib.colors import to_rgba

    from nnlab.viz.gradients import NON_FINITE, plot_gradient_heatmap
    norms = np.array([[1.0, 0.1, 0.0], [2.0, np.nan, np.inf]])
    capture = SimpleNamespace(norms=norms, layer_names=["layer 1", "layer 2"], last_flat=np.array([0.1, 0.2]))
    fig = plot_gradient_heatmap(capture)
    image = fig.axes[0].images[0]
    shown = image.get_array()
    assert shown.mask.tolist() == [[False, False, False], [False, True, True]]     # inf and NaN: not numbers
    assert shown[0, 2] == image.norm.vmin                                          # an exact 0: the lowest colour
    assert image.cmap.get_bad() == pytest.approx(to_rgba(NON_FINITE))
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["inf or NaN"]
