"""The tour's ``report.html``: one self-contained page, figures embedded, numbers beside them."""
from __future__ import annotations

import base64
import html
from pathlib import Path

__all__ = ["write_report"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; } td, th { border: 1px solid #ccc; padding: 0.3em 0.7em; }
th { background: #f4f4f4; text-align: left; } img { max-width: 100%; border: 1px solid #eee; }
.note { color: #555; font-size: 0.95em; }
"""


def _img(out: Path, name: str) -> str:
    data = base64.b64encode((out / name).read_bytes()).decode("ascii")
    return f'<p><img alt="{html.escape(name)}" src="data:image/png;base64,{data}"></p>'


def _table(rows: list[tuple[str, object]]) -> str:
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _fmt(x, digits=4):
    return f"{x:.{digits}g}" if isinstance(x, float) else x


def write_report(summary: dict, out: Path) -> Path:
    """Render ``summary`` (from ``run_tour``) and the figures in ``out`` into ``out/report.html``."""
    p, c, d, v = summary["perceptron"], summary["classification"], summary["diagnostics"], summary["versions"]
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>nnlab tour</title><style>{_STYLE}</style>"
             "</head><body>", "<h1>nnlab tour: the seed chapter's programs</h1>",
             f"<p class='note'>Seed {summary['seed']}; whole tour {summary['wall_time_s']:.1f} s.</p>"]

    parts += ["<h2>1. The perceptron learning algorithm</h2>",
              "<p>Zero initial weights, learning rate 0.1, samples in order, update on every mistake, stop at the "
              "first epoch without one. On the seed's 200 linearly separable points it converges; on the four XOR "
              "points no line exists and it never does.</p>",
              _table([("separable data: epochs to converge", p["linear"]["epochs"]),
                      ("separable data: training accuracy", f"{p['linear']['accuracy']:.1%}"),
                      ("separable data: w, b", f"{[round(w, 4) for w in p['linear']['weights']]}, "
                                               f"{p['linear']['bias']:.4g}"),
                      ("XOR: converged", p["xor"]["converged"]),
                      ("XOR: epochs run", p["xor"]["epochs"]),
                      ("XOR: accuracy of the last line", f"{p['xor']['accuracy']:.0%}"),
                      ("XOR: mistakes in the last 10 epochs", p["xor"]["errors_last_10"]),
                      ("wall time", f"{p['wall_time_s'] * 1000:.1f} ms")]),
              _img(out, "perceptron_visualization.png")]

    parts += ["<h2>2. The MLP on circle data (500 epochs)</h2>",
              "<p>1000 points, r ~ U[0, 2), class 1 when r &ge; 1. Linear(2, 8) + ReLU, four Linear(8, 8) + ReLU, "
              "Linear(8, 2): 330 parameters (the seed's comment says six hidden layers; its code builds five). "
              "Adam, learning rate 10<sup>-3</sup>, full batch, cross-entropy. Decision regions on the seed's "
              "200 &times; 200 grid over [-2.5, 2.5]&sup2;.</p>",
              _table([("epochs", c["epochs"]), ("final loss", _fmt(c["final_loss"])),
                      ("training accuracy", f"{c['train_accuracy']:.2%}"),
                      ("wall time", f"{c['wall_time_s']:.2f} s ({c['ms_per_epoch']:.2f} ms per epoch)")]),
              _img(out, "classification_visualization.png")]

    parts += ["<h2>3. Loss curve and gradients (2000 epochs)</h2>",
              _table([("epochs", d["epochs"]), ("final loss", _fmt(d["final_loss"])),
                      ("training accuracy", f"{d['train_accuracy']:.2%}"),
                      ("wall time", f"{d['wall_time_s']:.2f} s ({d['ms_per_epoch']:.2f} ms per epoch, "
                                    "with per-layer gradient capture)")]),
              _img(out, "loss_curve.png"),
              "<p>The heatmap shows the L2 norm of each layer's gradient in every epoch on a log colour scale; the "
              "lower panel is the seed's own view, |gradient| of every parameter after the final step.</p>",
              _table([(f"{name}: gradient norm, first / last epoch", f"{a:.3g} / {b:.3g}")
                      for name, (a, b) in d["gradient_norm_first_last"].items()]),
              _img(out, "gradient_heatmap.png")]

    if summary.get("labs"):
        items = []
        for lab in summary["labs"]:
            if lab["ok"]:
                took = f" ({lab['seconds']:.0f} s, quick mode)" if "seconds" in lab else ""
                items.append(f"<li><a href='{html.escape(lab['report'])}'>{html.escape(lab['title'])}</a>{took}</li>")
            else:
                items.append(f"<li>{html.escape(lab['title'])}: failed: {html.escape(str(lab['error']))}</li>")
        parts += ["<h2>Labs</h2>", f"<ul>{''.join(items)}</ul>"]
    parts += ["<h2>Versions</h2>", _table(list(v.items())), "</body></html>"]
    path = out / "report.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
