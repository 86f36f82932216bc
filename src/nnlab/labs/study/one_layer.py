"""The single-hidden-layer network of exercise 1.1, its training written out step by step, beside the torch run.

For inputs X (n, 2), the network 2 -> h -> 2 computes

    z1 = X W1^T + b1      (n, h)        a1 = act(z1)             (n, h)
    z2 = a1 W2^T + b2     (n, 2)        loss = mean_i -log softmax(z2_i)[y_i]

and its backward pass (``nnlab.scratch.HandMLP``, NumPy, no autograd):

    dz2 = (softmax(z2) - onehot(y)) / n      dW2 = dz2^T a1      db2 = sum_i dz2_i
    dz1 = (dz2 W2) * act'(z1)                dW1 = dz1^T X       db1 = sum_i dz1_i

then the SGD step w -= lr * dw. :func:`hand_train` runs exactly that loop over the batches in the order
``nnlab.fit`` draws them, from the same initial weights, so its loss curve can be held against the torch run's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnlab.labs.study.settings import Settings

__all__ = ["HandRun", "hand_train", "gradient_check", "run_one_layer"]


@dataclass
class HandRun:
    """What :func:`hand_train` records."""
    loss: list[float] = field(default_factory=list)            # mean pre-step batch loss per epoch, as fit's
    test_accuracy: list[float] = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)              # epoch -> (r, r) predicted classes on the grid
    net: object = None                                         # the trained HandMLP


def hand_train(net, X, y, X_test, y_test, lr: float, epochs: int, batch_size: int | None, seed: int,
               grid_points: np.ndarray | None = None, snapshots=()) -> HandRun:
    """SGD on a HandMLP, one explicit step at a time; batches in ``nnlab.fit``'s seeded order.

    ``grid_points`` (r*r, 2) and ``snapshots`` (epochs, 0 = before training) record the predicted class over a
    grid at those epochs.
    """
    import torch

    from nnlab.scratch import softmax_cross_entropy
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    n = len(X)
    batch = n if batch_size is None else min(batch_size, n)
    order = torch.Generator().manual_seed(seed)              # the generator fit draws its permutations from
    run = HandRun(net=net)
    if grid_points is not None and 0 in snapshots:
        run.snapshots[0] = net.predict(grid_points)
    for epoch in range(1, epochs + 1):
        chunks = [np.arange(n)] if batch == n else [c.numpy() for c in torch.randperm(n, generator=order).split(batch)]
        total = 0.0
        for idx in chunks:
            logits = net.forward(X[idx])                                 # 1) forward: (b, 2) logits
            loss, dlogits = softmax_cross_entropy(logits, y[idx])       # 2) loss and dloss/dlogits
            grads = net.backward(dlogits)                                # 3) backward: [dW1, db1, dW2, db2]
            for p, g in zip(net.params, grads):                          # 4) SGD step, in place
                p -= lr * g
            total += loss * len(idx)
        run.loss.append(total / n)
        run.test_accuracy.append(float(np.mean(net.predict(X_test) == y_test)))
        if grid_points is not None and epoch in snapshots:
            run.snapshots[epoch] = net.predict(grid_points)
        if not np.isfinite(run.loss[-1]):
            break
    return run


def gradient_check(net, X, y) -> dict:
    """The hand-written gradients at the current weights against torch autograd (float64) and against central
    differences (h = 1e-6): the largest relative error over the parameter arrays for each."""
    import torch

    from nnlab.scratch import central_differences, relative_error, softmax_cross_entropy
    _, hand = net.loss_and_grads(X, y)
    model = net.to_torch(torch.float64)
    out = model(torch.as_tensor(X, dtype=torch.float64))
    torch.nn.functional.cross_entropy(out, torch.as_tensor(y)).backward()
    auto = [p.grad.numpy() for p in model.parameters()]
    numeric = central_differences(lambda: softmax_cross_entropy(net.forward(X), y)[0], net.params)
    return {"vs_autograd": max(relative_error(h, a) for h, a in zip(hand, auto)),
            "vs_central_differences": max(relative_error(h, c) for h, c in zip(hand, numeric)),
            "parameters": int(sum(p.size for p in net.params))}


def run_one_layer(s: Settings, seed: int = 0, resolution: int = 150) -> dict:
    """Train the 2 -> hidden -> 2 network by hand and with ``nnlab.training.run.train`` from the same start.

    Returns the torch run, the hand run, the gradient check and the comparison of the two loss curves.
    """
    import torch

    from nnlab.data.prepare import prepare
    from nnlab.nn import build_mlp
    from nnlab.scratch import HandMLP
    from nnlab.training.run import sized_for_data, train
    from nnlab.viz import seed_grid

    cfg = s.base_config(seed=seed)
    data = prepare(cfg.data)
    cfg = sized_for_data(cfg, data)
    # 1) the same initial weights for both: the torch model's, copied to float64 NumPy arrays
    with torch.no_grad():
        start = HandMLP.from_torch(build_mlp(cfg.model, seed=cfg.train.seed))
    check = gradient_check(HandMLP(start.sizes, start.activation, params=start.params), data.X_train[:64],
                           data.y_train[:64])
    # 2) the torch run: the one training loop
    torch_run = train(cfg, data=data)
    # 3) the hand run, recording the boundary at the snapshot epochs
    axis, points = seed_grid(data.domain, resolution)
    hand = hand_train(start, data.X_train, data.y_train, data.X_test, data.y_test, cfg.train.lr, cfg.train.epochs,
                      cfg.train.batch_size, cfg.train.seed, points, s.snapshots)
    torch_loss = np.asarray(torch_run.history.loss)
    hand_loss = np.asarray(hand.loss)
    m = min(len(torch_loss), len(hand_loss))
    torch_params = [p.detach().numpy().astype(np.float64) for p in torch_run.model.parameters()]
    from nnlab.scratch import softmax_cross_entropy
    hand_final = {}
    for prefix, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        X = np.asarray(X, dtype=np.float64)                 # the finished hand-written network on the whole set
        hand_final[f"{prefix}_loss"] = float(softmax_cross_entropy(hand.net.forward(X), np.asarray(y))[0])
        hand_final[f"{prefix}_accuracy"] = float(np.mean(hand.net.predict(X) == y))
    return {"config": cfg, "data": data, "torch": torch_run, "hand": hand, "grid_axis": axis, "hand_final": hand_final,
            "gradient_check": check,
            "loss_max_abs_diff": float(np.max(np.abs(torch_loss[:m] - hand_loss[:m]))) if m else float("nan"),
            "param_max_abs_diff": float(max(np.max(np.abs(a - b)) for a, b in zip(torch_params, hand.net.params))),
            "hand_test_accuracy": hand.test_accuracy[-1] if hand.test_accuracy else float("nan")}
