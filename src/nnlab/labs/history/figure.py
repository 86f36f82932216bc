"""The timeline figure: a vertical time bar coloured by era, models on the left, everything else on the right.

Drawn in inches (the axes span the whole A4-width figure, 1 data unit = 1 inch), so label sizes and gaps are
known before drawing. Labels are placed by a one-dimensional layout that keeps their order, keeps them at
least one label height apart and moves them as little as possible (isotonic regression, below); leader lines
join each label to its year on the bar. ``text_overlaps`` checks the result with the renderer's own boxes.
"""
from __future__ import annotations

import numpy as np

from nnlab.labs.history.timeline import ERAS, Event
from nnlab.viz._style import new_figure

__all__ = ["plot_timeline", "year_to_inches", "spread_labels", "text_overlaps", "texts_outside",
           "layout_problems", "A4_WIDTH_IN"]

A4_WIDTH_IN = 8.27
_HEIGHT_IN = 11.0
_TOP, _BOTTOM = 1.25, _HEIGHT_IN - 0.8     # the time bar runs from _TOP to _BOTTOM (inches from the top)
_BREAK_YEAR = 2005                          # years before it are compressed, after it expanded
_BREAK_SHARE = 0.40                         # share of the bar's length given to 1940..2005
_FIRST_YEAR, _LAST_YEAR = 1940, 2024
_BAR_HALF = 0.24                            # half width of the time bar
_LABEL_GAP = 0.29                           # vertical room for one two-line label
_TITLE_PT, _PEOPLE_PT = 7.8, 7.0


def year_to_inches(year: float) -> float:
    """Position of ``year`` on the bar, in inches from the top of the figure (piecewise linear).

    1940..2005 take 40% of the bar and 2005..2024 the rest, because the milestones crowd after 2005 (the
    history lab's claim ``dense_after_2005`` counts them on every run).
    """
    length = _BOTTOM - _TOP
    if year <= _BREAK_YEAR:
        share = _BREAK_SHARE * (year - _FIRST_YEAR) / (_BREAK_YEAR - _FIRST_YEAR)
    else:
        share = _BREAK_SHARE + (1 - _BREAK_SHARE) * (year - _BREAK_YEAR) / (_LAST_YEAR - _BREAK_YEAR)
    return _TOP + share * length


def _isotonic(u: np.ndarray) -> np.ndarray:
    """The nondecreasing sequence closest to ``u`` in least squares (pool adjacent violators)."""
    blocks: list[list[float]] = []           # [mean, weight]
    for value in u:
        blocks.append([float(value), 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (m2, w2), (m1, w1) = blocks.pop(), blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2])
    return np.concatenate([np.full(int(w), m) for m, w in blocks])


def spread_labels(targets, gap: float, low: float, high: float) -> np.ndarray:
    """Label positions p (sorted targets t in, same order out) with p[i+1] - p[i] >= gap, low <= p <= high,
    minimising sum (p_i - t_i)^2.

    Substituting q_i = p_i - i * gap turns the gaps into "q nondecreasing", an isotonic regression of
    t_i - i * gap; clipping q to [low, high - (n-1) gap] then keeps every label inside the bounds.
    """
    t = np.asarray(targets, dtype=float)
    steps = gap * np.arange(len(t))
    q = np.clip(_isotonic(t - steps), low, max(low, high - steps[-1])) if len(t) else t
    return q + steps


def plot_timeline(events: list[Event], title: str = "Neural networks: a timeline of milestones"):
    """The timeline as an A4-width portrait Figure (8.27 x 11 in); returns it."""
    fig = new_figure(A4_WIDTH_IN, _HEIGHT_IN)
    fig.set_layout_engine("none")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, A4_WIDTH_IN)
    ax.set_ylim(_HEIGHT_IN, 0)                       # inches from the top: time runs downwards
    ax.axis("off")
    cx = A4_WIDTH_IN / 2
    first, last = min(e.year for e in events), max(e.year for e in events)

    # 1) title and column headings
    ax.text(cx, 0.32, title, ha="center", va="center", fontsize=13, weight="bold")
    ax.text(cx, 0.62, f"{len(events)} milestones, {first}-{last}; each one's source is in the table that comes "
                      f"with the figure. The time axis is stretched after {_BREAK_YEAR}.", ha="center",
            va="center", fontsize=8, color="#444")
    ax.text(cx - _BAR_HALF - 0.45, 0.98, "Architectures and models", ha="right", va="center", fontsize=9.5,
            weight="bold")
    ax.text(cx + _BAR_HALF + 0.45, 0.98, "Algorithms, theory, data, systems", ha="left", va="center",
            fontsize=9.5, weight="bold")

    # 2) the time bar: one coloured segment per era, with year ticks written inside it
    for era in ERAS.values():
        top, bottom = year_to_inches(max(era.start, _FIRST_YEAR)), year_to_inches(min(era.end + 1, _LAST_YEAR))
        ax.fill_between([cx - _BAR_HALF, cx + _BAR_HALF], top, bottom, color=era.color, lw=0)
        ax.axhspan(top, bottom, color=era.color, alpha=0.07, lw=0)
    ticks = list(range(_FIRST_YEAR + 10, _BREAK_YEAR, 10)) + list(range(2006, _LAST_YEAR, 2))   # not the ends
    for year in ticks:
        ax.text(cx, year_to_inches(year), str(year), ha="center", va="center", fontsize=6.5, color="white",
                weight="bold")
    ax.plot([cx - _BAR_HALF, cx + _BAR_HALF], [year_to_inches(_BREAK_YEAR)] * 2, color="white", lw=1.2, ls=":")

    # 3) labels: models on the left, the rest on the right, spread apart and joined to their year
    for side in (-1, 1):
        column = [e for e in events if (e.kind == "model") == (side == -1)]
        targets = [year_to_inches(e.year + 0.5) for e in column]    # the middle of the year
        places = spread_labels(targets, _LABEL_GAP, _TOP, _BOTTOM)
        edge, elbow, anchor = cx + side * _BAR_HALF, cx + side * (_BAR_HALF + 0.18), cx + side * (_BAR_HALF + 0.5)
        align = "right" if side == -1 else "left"
        for event, target, place in zip(column, targets, places):
            color = event.era.color
            ax.plot([edge, elbow, anchor - side * 0.04], [target, target, place], color=color, lw=0.7)
            ax.plot([edge], [target], marker="o", ms=3.2, color=color, mec="white", mew=0.5)
            ax.text(anchor, place + 0.01, f"{event.year}  {event.event}", ha=align, va="bottom",
                    fontsize=_TITLE_PT, weight="bold", color="#111")
            ax.text(anchor, place + 0.03, event.short_people(), ha=align, va="top", fontsize=_PEOPLE_PT,
                    color="#555")

    # 4) the eras' legend under the bar
    from matplotlib.patches import Patch
    handles = [Patch(color=e.color, label=f"{e.name} ({e.start if e.start > _FIRST_YEAR else first}-"
                                          f"{e.end if e.end < _LAST_YEAR else last})") for e in ERAS.values()]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=7.5,
              frameon=False, handlelength=1.2, columnspacing=1.2)
    return fig


def _text_boxes(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text
    canvas = FigureCanvasAgg(fig)
    canvas.draw()                          # lays out legends and other artists placed at draw time
    renderer = canvas.get_renderer()
    hidden = set()                        # tick labels of ticks outside the view limits are never drawn
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo <= tick.get_loc() <= hi:
                    hidden.update((id(tick.label1), id(tick.label2)))
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden]
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts]


def layout_problems(fig) -> tuple[list[tuple[str, str]], list[str]]:
    """``(text_overlaps(fig), texts_outside(fig))`` from a single draw of the figure."""
    boxes = _text_boxes(fig)
    return text_overlaps(fig, boxes), texts_outside(fig, boxes)


def text_overlaps(fig, boxes=None) -> list[tuple[str, str]]:
    """Pairs of visible texts in ``fig`` whose rendered boxes intersect (empty when every label is clear)."""
    boxes = _text_boxes(fig) if boxes is None else boxes
    pairs = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            if box_a.x0 < box_b.x1 and box_b.x0 < box_a.x1 and box_a.y0 < box_b.y1 and box_b.y0 < box_a.y1:
                pairs.append((a, b))
    return pairs


def texts_outside(fig, boxes=None) -> list[str]:
    """Visible texts whose rendered box pokes out of the figure."""
    width, height = fig.get_size_inches() * fig.dpi
    return [text for text, box in (_text_boxes(fig) if boxes is None else boxes)
            if box.x0 < 0 or box.y0 < 0 or box.x1 > width or box.y1 > height]
