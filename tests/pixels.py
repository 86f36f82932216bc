"""Pixel checks for figures: a figure 'shows a class' if enough of its pixels have that class's colour."""
import numpy as np
from PIL import Image

from nnlab.viz._style import BLUE, RED


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def colour_count(path, hex_colour: str, tolerance: float = 40.0) -> int:
    """Pixels of the PNG at ``path`` within ``tolerance`` (Euclidean RGB) of ``hex_colour``."""
    img = np.asarray(Image.open(path).convert("RGB"), dtype=float)
    return int((np.linalg.norm(img - _rgb(hex_colour), axis=2) < tolerance).sum())


def shows_both_classes(path, minimum: int = 150) -> bool:
    return colour_count(path, RED) >= minimum and colour_count(path, BLUE) >= minimum
