"""Small image sets for convolutional networks: a generated shapes set and scikit-learn's bundled digits.

Beside the 2-D ``DATASETS`` registry (whose generators return points), ``IMAGE_SETS`` names the image sets; each
loads as ``X`` (n, 1, H, W) float32 in [0, 1] and ``y`` (n,) int64, the same arrays for the same arguments.

- ``make_shapes(n, size=28, seed=0)``: eight classes drawn as anti-aliased strokes two pixels wide at random
  positions and sizes: bars at 0, 45, 90 and 135 degrees, a right-angled corner (turned by a multiple of 90
  degrees), a circle, a square and a triangle (outlines), plus a little Gaussian pixel noise. Nothing is
  downloaded: a pure function of its arguments.
- ``load_digits_images()``: scikit-learn's 1797 handwritten digits, 8 x 8, grey levels 0..16 scaled to [0, 1].

``shift_images(X, dx, dy)`` moves every image by whole pixels, filling with the background (0).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnlab._validation import InvalidArgument, check_choice, check_int, check_nonneg, check_seed

__all__ = ["SHAPE_CLASSES", "make_shapes", "load_digits_images", "ImageSet", "IMAGE_SETS", "load_images",
           "shift_images"]

SHAPE_CLASSES = ("bar 0°", "bar 45°", "bar 90°", "bar 135°", "corner", "circle", "square", "triangle")
_STROKE = 2.0               # stroke width in pixels


def _segment_distance(px, py, ax, ay, bx, by):
    """Distance from every pixel centre (px, py) to the segment a-b."""
    dx, dy = bx - ax, by - ay
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / max(dx * dx + dy * dy, 1e-12), 0.0, 1.0)
    return np.hypot(px - ax - t * dx, py - ay - t * dy)


def _polyline(px, py, points, closed: bool):
    pts = list(points) + ([points[0]] if closed else [])
    return np.min([_segment_distance(px, py, *a, *b) for a, b in zip(pts[:-1], pts[1:])], axis=0)


def _ink(distance):
    """Anti-aliased stroke: 1 within the stroke, falling to 0 over one pixel at its edge."""
    return np.clip(_STROKE / 2 + 0.5 - distance, 0.0, 1.0)


def _draw(kind: int, size: int, rng: np.random.Generator, px, py) -> np.ndarray:
    """One image of class ``kind``; its size and position are drawn from ``rng`` so the stroke stays inside."""
    name = SHAPE_CLASSES[kind]
    lo, hi = 0.2 * size, 0.36 * size                     # half-extent of the shape, in pixels
    r = rng.uniform(lo, hi)
    if name.startswith("bar"):
        angle = np.deg2rad(float(name.split()[1].rstrip("°")))
        ux, uy = np.cos(angle), -np.sin(angle)            # image rows grow downwards: 45° rises to the right
        shape = [(-r * ux, -r * uy), (r * ux, r * uy)]
        closed = False
    elif name == "corner":
        turn = rng.integers(4) * np.pi / 2
        base = [(r, -r), (-r, -r), (-r, r)]               # an L: two arms of length 2r at a right angle
        c, s = np.cos(turn), np.sin(turn)
        shape = [(c * x - s * y, s * x + c * y) for x, y in base]
        closed = False
    elif name == "circle":
        shape = None
        closed = True
    elif name == "square":
        h = r / np.sqrt(2) * 1.2
        shape = [(-h, -h), (h, -h), (h, h), (-h, h)]
        closed = True
    else:                                                 # triangle, pointing up
        shape = [(r * np.cos(a), -r * np.sin(a)) for a in np.deg2rad([90, 210, 330])]
        closed = True
    if shape is None:
        half_x = half_y = r
    else:
        half_x = max(abs(x) for x, _ in shape)
        half_y = max(abs(y) for _, y in shape)
    pad = _STROKE / 2 + 1.0                               # keep the whole stroke inside the image
    lo_x, lo_y = half_x + pad - 0.5, half_y + pad - 0.5
    cx = rng.uniform(lo_x, max(lo_x, size - 0.5 - half_x - pad))
    cy = rng.uniform(lo_y, max(lo_y, size - 0.5 - half_y - pad))
    if shape is None:
        return _ink(np.abs(np.hypot(px - cx, py - cy) - r))
    return _ink(_polyline(px, py, [(cx + x, cy + y) for x, y in shape], closed))


def make_shapes(n: int = 2000, size: int = 28, noise: float = 0.05, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images of the eight ``SHAPE_CLASSES`` (labels 0..7, balanced, in random order), ``size`` x ``size``.

    Every shape is a stroke two pixels wide at a random size (half-extent 20 % to 36 % of the side) and a
    random position that keeps it inside the image; ``noise`` is the std of Gaussian noise added to every pixel
    before clipping to [0, 1]. Returns X (n, 1, size, size) float32 and y (n,) int64.
    """
    check_int("n", n, "make_shapes")
    check_int("size", size, "make_shapes", minimum=12)
    if size > 256:
        raise InvalidArgument(f"The 'size' parameter of make_shapes must be an integer in the range [12, 256]. "
                              f"Got {size!r} instead.", "size", owner="make_shapes",
                              allowed="an integer in the range [12, 256]", value=size)
    check_nonneg("noise", noise, "make_shapes")
    check_seed("seed", seed, "make_shapes")
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % len(SHAPE_CLASSES)).astype(np.int64)
    py, px = np.mgrid[0:size, 0:size].astype(np.float64)
    X = np.stack([_draw(int(k), size, rng, px, py) for k in y])
    if noise > 0:
        X = np.clip(X + rng.normal(0.0, noise, X.shape), 0.0, 1.0)
    return X[:, None].astype(np.float32), y


def load_digits_images() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled digits: X (1797, 1, 8, 8) float32 in [0, 1] (grey level / 16), y (1797,) int64."""
    from sklearn.datasets import load_digits
    d = load_digits()
    return (d.images / 16.0).astype(np.float32)[:, None], d.target.astype(np.int64)


@dataclass(frozen=True)
class ImageSet:
    """A registry entry: how to load the set and what it holds."""
    name: str
    load: Callable[[int, int], tuple[np.ndarray, np.ndarray]]      # (n, seed) -> X, y
    size: int                                                     # images are size x size
    classes: tuple[str, ...]
    description: str


IMAGE_SETS: dict[str, ImageSet] = {s.name: s for s in [
    ImageSet("shapes", lambda n, seed: make_shapes(n, seed=seed), 28, SHAPE_CLASSES,
             "generated: bars at 0/45/90/135 degrees, corners, circles, squares, triangles; 28 x 28"),
    ImageSet("digits", lambda n, seed: load_digits_images(), 8, tuple(str(k) for k in range(10)),
             "scikit-learn's handwritten digits, 1797 images, 8 x 8"),
]}


def load_images(name: str, n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The image set ``name`` (a key of ``IMAGE_SETS``); ``n`` and ``seed`` apply to generated sets only."""
    check_choice("dataset", name, IMAGE_SETS, "load_images")
    return IMAGE_SETS[name].load(n, seed)


def shift_images(X: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """Every image of X (..., H, W) moved ``dx`` pixels right and ``dy`` down (negative: left, up); what moves
    in is 0 (the background), what moves out is lost. A shift as large as the image is refused."""
    X = np.asarray(X)
    h, w = X.shape[-2:]
    for name, v, limit in (("dx", dx, w), ("dy", dy, h)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or abs(v) >= limit:
            raise InvalidArgument(f"The '{name}' parameter of shift_images must be an integer with |{name}| < "
                                  f"{limit} (the image is {h} x {w}). Got {v!r} instead.", name,
                                  owner="shift_images", allowed=f"an integer in the range [-{limit - 1}, {limit - 1}]",
                                  value=v)
    out = np.zeros_like(X)
    src_y = slice(max(0, -dy), h - max(0, dy))
    dst_y = slice(max(0, dy), h - max(0, -dy))
    src_x = slice(max(0, -dx), w - max(0, dx))
    dst_x = slice(max(0, dx), w - max(0, -dx))
    out[..., dst_y, dst_x] = X[..., src_y, src_x]
    return out
