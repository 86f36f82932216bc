import numpy as np

from nnlab.viz._style import legend_outside, new_figure
from nnlab.viz.lint import figure_problems


def _line_figure(outside: bool):
    fig = new_figure(5, 4)
    ax = fig.subplots()
    x = np.linspace(0, 1, 200)
    ax.plot(x, np.full_like(x, 0.95), label="a long legend entry that sits in the upper right")
    ax.plot(x, x, label="b")
    ax.set(xlabel="x", ylabel="y")
    legend_outside(ax) if outside else ax.legend(loc="upper right")
    return fig


def test_a_legend_over_the_data_is_found_and_one_beside_it_is_not():
    assert any("legend over data" in p for p in figure_problems(_line_figure(outside=False)))
    assert figure_problems(_line_figure(outside=True)) == []


def test_empty_panels_unlabelled_axes_and_colours_without_a_bar_are_found():
    fig = new_figure(8, 3)
    full, empty, image = fig.subplots(1, 3)
    full.plot([0, 1], [0, 1])
    image.imshow(np.arange(4.0).reshape(2, 2))
    problems = figure_problems(fig)
    assert any(p.startswith("empty panel") for p in problems)
    assert any(p.startswith("x axis without a label") for p in problems)
    assert any(p.startswith("colours encode values without a colour bar") for p in problems)
    blank = new_figure(3, 3)
    blank.subplots()
    assert figure_problems(blank) == ["empty canvas: no panel draws anything"]
