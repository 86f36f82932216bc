"""Convolutions and hierarchical features: a small CNN against an MLP of about the same parameter count on a
generated shapes set and scikit-learn's digits (accuracy, parameters, multiply-adds, accuracy on shifted test
images), what the CNN's layers hold (first-layer filters, feature maps, receptive fields, orientation selectivity
measured with gratings after training against at initialisation), and a NumPy float64 convolution whose
hand-written backward pass is checked against PyTorch. ``run_conv`` writes the figures, ``summary.json``,
``claims.json``, ``report.md`` and ``report.html``."""
from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

from nnlab.labs.conv.settings import FULL, QUICK, Settings

__all__ = ["run_conv", "train_pair", "Settings", "QUICK", "FULL"]


def train_pair(name: str, s: Settings, progress=lambda message: None) -> dict:
    """Load image set ``name``, split it, train the CNN and the matched MLP; their costs and shift accuracies."""
    import numpy as np

    from nnlab.data.images import IMAGE_SETS, load_images
    from nnlab.labs.conv import models as m

    spec = IMAGE_SETS[name]
    progress(f"{name}: loading")
    X, y = load_images(name, s.shapes_n, s.seed)
    X_train, X_test, y_train, y_test = m.split(X, y, s.test_fraction, s.seed)
    data = {"X_train": X_train, "X_test": X_test, "y_train": y_train, "y_test": y_test}
    classes = len(spec.classes)
    cnn = m.make_cnn(spec.size, classes, s.channels, s.seed)
    hidden = m.mlp_width_for(m.n_params(cnn), spec.size * spec.size, classes)
    mlp = m.make_mlp(spec.size, classes, hidden, s.seed)
    epochs = s.epochs if name != "digits" else s.digits_epochs
    runs = {}
    for key, model in (("cnn", cnn), ("mlp", mlp)):
        runs[key] = m.train_model(f"{name} {key.upper()}", model, data, epochs=epochs, lr=s.lr,
                                  batch_size=s.batch_size, seed=s.seed, progress=progress)
    progress(f"{name}: shifted test images")
    result = {"name": name, "size": spec.size, "classes": list(spec.classes), "chance": 1.0 / classes,
              "n_train": len(X_train), "n_test": len(X_test), "epochs": epochs, "mlp_hidden": hidden,
              "kernel": cnn[0].kernel_size[0], "data": data, "runs": runs}
    for key, run in runs.items():
        cost = m.costs(run.model, spec.size)
        result[key] = {"test_accuracy": run.test_accuracy[-1], "params": cost["params"], "macs": cost["macs"],
                       "layers": cost["layers"], "loss": run.loss, "test_accuracy_per_epoch": run.test_accuracy,
                       "shift_accuracy": m.shift_accuracy(run.model, X_test, y_test, s.max_shift)}
    result["examples"] = np.array([np.flatnonzero(y_test == k)[0] for k in range(classes) if (y_test == k).any()])
    return result


def run_conv(out: str | Path, settings: Settings = FULL, quick: bool | None = None,
             progress=lambda message: None) -> dict:
    """Train, look inside, check the from-scratch convolution; write the figures, ``summary.json``,
    ``claims.json``, ``report.md`` and ``report.html`` into ``out``. Returns the summary. Torch and BLAS run on one
    thread. ``quick`` (default: whether ``settings`` is ``QUICK``) only labels the run."""
    from nnlab.labs._threads import one_thread
    with one_thread():
        return _run(out, settings, settings == QUICK if quick is None else quick, progress)


def _run(out, s: Settings, quick: bool, progress) -> dict:
    import numpy as np
    import torch

    from nnlab.labpage import write_lab
    from nnlab.labs.conv import figures as fg
    from nnlab.labs.conv import inside
    from nnlab.labs.conv.models import make_cnn
    from nnlab.labs.conv.report import make_claims, report
    from nnlab.labs.conv.scratch_check import check_all
    from nnlab.viz import save

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    progress("from scratch: im2col convolution against torch")
    scratch = check_all(s.seed)
    pairs = {name: train_pair(name, s, progress) for name in s.datasets}
    main = pairs[s.datasets[0]]

    progress("inside the CNN")
    cnn, initial = main["runs"]["cnn"].model, main["runs"]["cnn"].initial
    w_trained, w_init = cnn[0].weight.detach().numpy(), initial[0].weight.detach().numpy()
    tune_trained, tune_init = inside.tuning(w_trained, s.angles), inside.tuning(w_init, s.angles)
    spread = np.array([inside.orientation_selectivity(
        make_cnn(main["size"], len(main["classes"]), s.channels, s.seed + 1 + i)[0].weight.detach().numpy(),
        angles=s.angles) for i in range(s.random_inits)])
    fields = {}
    for name, pair in pairs.items():
        computed = inside.receptive_fields(pair["runs"]["cnn"].model)
        measured = inside.measured_receptive_fields(pair["runs"]["cnn"].model, pair["size"], seed=s.seed)
        fields[name] = [{**f, "measured": measured[f["stage"]]["field"], "clipped": measured[f["stage"]]["clipped"]}
                        for f in computed]
        if name == main["name"]:
            main_measured = measured
    picks = main["examples"][np.unique(np.linspace(0, len(main["examples"]) - 1, 3).round().astype(int))]
    maps = inside.feature_maps(cnn, main["data"]["X_test"][picks])

    progress("figures")
    files = save(fg.plot_examples(pairs), out / "conv_data.png")
    files += save(fg.plot_training(pairs), out / "conv_training.png")
    files += save(fg.plot_shift(pairs, s.max_shift), out / "conv_shift.png")
    files += save(fg.plot_filters(w_init, w_trained, tune_init, tune_trained, main["name"]), out / "conv_filters.png")
    files += save(fg.plot_orientation(tune_init, tune_trained, spread), out / "conv_orientation.png")
    files += save(fg.plot_feature_maps(main["data"]["X_test"][picks],
                                       [main["classes"][k] for k in main["data"]["y_test"][picks]], maps),
                  out / "conv_feature_maps.png")
    files += save(fg.plot_receptive_fields(fields[main["name"]], main_measured, main["size"]),
                  out / "conv_receptive_fields.png")

    def shifts(d):
        return {str(k): v for k, v in d.items()}

    by_dataset = {}
    for name, pair in pairs.items():
        by_dataset[name] = {k: pair[k] for k in ("size", "classes", "chance", "n_train", "n_test", "epochs",
                                                 "mlp_hidden", "kernel")}
        for key in ("cnn", "mlp"):
            r = pair[key]
            by_dataset[name][key] = {**{k: v for k, v in r.items() if k != "shift_accuracy"},
                                     "shift_accuracy": shifts(r["shift_accuracy"])}
    summary = {
        "settings": asdict(s),
        "dataset": main["name"],
        "cnn_test_accuracy": main["cnn"]["test_accuracy"], "mlp_test_accuracy": main["mlp"]["test_accuracy"],
        "cnn_params": main["cnn"]["params"], "mlp_params": main["mlp"]["params"],
        "cnn_macs": main["cnn"]["macs"], "mlp_macs": main["mlp"]["macs"],
        "shift_accuracy": {"cnn": shifts(main["cnn"]["shift_accuracy"]),
                           "mlp": shifts(main["mlp"]["shift_accuracy"])},
        "orientation_selectivity": {"init": float(tune_init.osi.mean()), "trained": float(tune_trained.osi.mean())},
        "orientation": {"per_filter_init": tune_init.osi.tolist(), "per_filter_trained": tune_trained.osi.tolist(),
                        "preferred_angle_trained": tune_trained.preferred_angle.tolist(),
                        "random_inits": s.random_inits, "random_init_mean": float(spread.mean()),
                        "random_init_std": float(spread.std()), "random_init_max": float(spread.max()),
                        "random_inits_below_trained": int((spread < tune_trained.osi.mean()).sum()),
                        "first_layer_change": float(np.linalg.norm(w_trained - w_init) / np.linalg.norm(w_init)),
                        "angles": s.angles, "wavelengths": list(inside.WAVELENGTHS)},
        "receptive_fields": fields,
        "by_dataset": by_dataset,
        "scratch_conv_max_rel_error": scratch["max_rel_error"],
        "scratch_conv": scratch["cases"],
        "files": [f.name for f in files],
        "torch_threads": torch.get_num_threads(),
    }
    summary["wall_time_s"] = time.perf_counter() - start
    result = write_lab(out, report(summary, s), make_claims(summary, s, quick), summary, lab="conv", quick=quick,
                       seconds=summary["wall_time_s"])
    return result.summary
