"""The use cases of exercise 1.5: data sets bundled with scikit-learn and the MLP settings chosen for each before
any evaluation (``USECASES``), and ``load_usecase``."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["UseCase", "USECASES", "load_usecase"]


@dataclass(frozen=True)
class UseCase:
    """A data set bundled with scikit-learn, and the MLP settings chosen for it before any evaluation."""
    name: str
    title: str
    load: Callable              # () -> (X (n, d), y (n,) in 0..K-1, class names, feature names)
    hidden: tuple[int, ...]     # hidden widths of both MLPs (nnlab's and scikit-learn's)
    epochs: int
    batch_size: int
    description: str
    quick_epochs: int = 20      # both MLPs' epochs in a quick run: enough for the MLP to reach the baselines'
                                # accuracy on both cases (6 digits epochs did not), a few seconds more


def _breast_cancer():
    from sklearn.datasets import load_breast_cancer
    data = load_breast_cancer()
    # scikit-learn codes malignant as 0; here malignant is the positive class 1, as a diagnosis counts it
    return data.data, (data.target == 0).astype(np.int64), ["benign", "malignant"], list(data.feature_names)


def _digits():
    from sklearn.datasets import load_digits
    data = load_digits()
    return data.data, data.target.astype(np.int64), [str(c) for c in data.target_names], \
        [f"pixel {i // 8},{i % 8}" for i in range(64)]


USECASES: dict[str, UseCase] = {u.name: u for u in [
    UseCase("breast-cancer", "Breast cancer diagnosis", _breast_cancer, (32, 16), 200, 32,
            "Breast Cancer Wisconsin (Diagnostic), as bundled with scikit-learn: 30 features computed from a "
            "digitised image of a fine needle aspirate of a breast mass (mean, standard error and worst value of "
            "ten properties of the cell nuclei: radius, texture, perimeter, area, smoothness, compactness, "
            "concavity, concave points, symmetry, fractal dimension). Wolberg, Street and Mangasarian, "
            "University of Wisconsin, 1995 (UCI)."),
    UseCase("digits", "Handwritten digits", _digits, (128,), 60, 64,
            "Optical recognition of handwritten digits, as bundled with scikit-learn: 32 x 32 bitmaps reduced "
            "to 8 x 8 counts (0..16) of on pixels per 4 x 4 block. Alpaydin and Kaynak, 1998 (UCI); "
            "scikit-learn ships the 1,797-image test part, written by 13 of the 43 writers."),
]}


def load_usecase(name: str):
    """(X, y, class names, feature names) of use case ``name``."""
    from nnlab._validation import check_choice
    return USECASES[check_choice("dataset", name, USECASES, "load_usecase")].load()
