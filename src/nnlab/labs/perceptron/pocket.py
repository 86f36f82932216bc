"""The plain rule against the pocket algorithm on data no line separates."""
from __future__ import annotations

import numpy as np

__all__ = ["pocket_study"]


def _accuracy(X, y, w, b) -> float:
    return float(np.mean(np.where(X @ w + b > 0, 1, -1) == y))


def pocket_study(data, lr: float, epochs: int) -> dict:
    """Run the plain rule (recording the training accuracy after every update and at the end of every epoch) and
    the pocket (``PocketPerceptron``); score both, and the best any line does, on the training points (exact) and
    the held-out points."""
    from nnlab.labs.perceptron.separability import best_line, separable
    from nnlab.perceptron import PocketPerceptron, perceptron_rule

    X, y = data.X, data.y
    after_update, epoch_end, epoch_weights = [], {}, {}

    def record(epoch, index, w, b):
        acc = _accuracy(X, y, w, b)
        after_update.append(acc)
        epoch_end[epoch] = acc
        epoch_weights[epoch] = (w.copy(), float(b))  # the last update's weights are the epoch's end

    w, b, errors, converged = perceptron_rule(X, y, lr, epochs, record)
    start = _accuracy(X, y, np.zeros(2), 0.0)
    per_epoch, last = [], start
    test_per_epoch, last_w = [], (np.zeros(2), 0.0)
    for e in range(1, len(errors) + 1):           # an epoch without an update keeps the line it started with
        last = epoch_end.get(e, last)
        last_w = epoch_weights.get(e, last_w)
        per_epoch.append(last)
        test_per_epoch.append(_accuracy(data.X_test, data.y_test, *last_w))
    pocket_per_epoch, best_seen, i = [], start, 0   # the pocket's training accuracy at the end of each epoch
    for m in errors:
        chunk = after_update[i:i + m]
        i += m
        best_seen = max([best_seen, *chunk])
        pocket_per_epoch.append(best_seen)
    pocket = PocketPerceptron(lr=lr, max_epochs=epochs).fit(X, y)
    best, exact = best_line(X, y)
    half = per_epoch[len(per_epoch) // 2:]
    test_half = test_per_epoch[len(test_per_epoch) // 2:]
    return {
        "separable": separable(X, y),
        "converged": converged, "epochs": len(errors), "errors_per_epoch": errors,
        "min_mistakes": int(min(errors)), "updates": len(after_update),
        "plain_train_per_epoch": per_epoch, "plain_train_after_update": after_update,
        "pocket_train_per_epoch": pocket_per_epoch, "start_train": start,
        "plain_second_half_low": float(min(half)), "plain_second_half_high": float(max(half)),
        "plain_second_half_mean": float(np.mean(half)),
        "plain_weights": [*map(float, w), float(b)],
        "plain_train": _accuracy(X, y, w, b), "plain_test": _accuracy(data.X_test, data.y_test, w, b),
        "plain_test_per_epoch": test_per_epoch, "plain_test_second_half_mean": float(np.mean(test_half)),
        "plain_test_second_half_low": float(min(test_half)), "plain_test_second_half_high": float(max(test_half)),
        "pocket_weights": [*map(float, pocket.coef_), float(pocket.intercept_)],
        "pocket_train": float(pocket.pocket_accuracy_), "pocket_test": float(pocket.score(data.X_test, data.y_test)),
        "pocket_update": int(pocket.pocket_update_), "pocket_updates_total": int(pocket.n_updates_),
        "pocket_same_rule": bool(np.array_equal(pocket.last_coef_, w) and pocket.last_intercept_ == b),
        "best_line_train": best / len(y), "best_line_right": best, "best_line_exact": exact,
        "n": len(y), "n_test": len(data.y_test), "flipped": data.flipped_count, "flipped_test": data.flipped_test,
    }
