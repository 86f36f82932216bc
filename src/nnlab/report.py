"""The tour's page of the seed's three programs: the perceptron, the circle MLP and its diagnostics, with claims.

Final loss and accuracy are those of the finished model in eval mode on the whole training set
(``History.final``), the same numbers ``nnlab train`` prints for the same config.
"""
from __future__ import annotations

from nnlab.claims import Claims
from nnlab.document import Document

__all__ = ["seed_claims", "seed_document", "TITLE"]

TITLE = "The seed chapter's programs"


def seed_claims(summary: dict) -> Claims:
    """What the seed's programs showed on this run, each from its numbers."""
    p, c, d = summary["perceptron"], summary["classification"], summary["diagnostics"]
    claims = Claims()
    lin, xor = p["linear"], p["xor"]
    claims.check("perceptron_converges", lin["converged"] and lin["accuracy"] == 1.0, headline=True,
                 numbers={"epochs": lin["epochs"], "accuracy": lin["accuracy"]},
                 finding="On the seed's 200 linearly separable points the perceptron converged: an epoch without a "
                         "mistake after {epochs} epochs, training accuracy {accuracy:.0%}.",
                 otherwise="On the seed's 200 points the perceptron reached training accuracy {accuracy:.1%} in "
                           "{epochs} epochs without converging.")
    last = xor["errors_last_10"]
    claims.check("perceptron_fails_xor", not xor["converged"] and min(last) > 0, headline=True,
                 numbers={"epochs": xor["epochs"], "accuracy": xor["accuracy"], "fewest": min(last)},
                 finding="On the four XOR points it never converged: after {epochs} epochs every one of the last "
                         "10 still made at least {fewest} mistakes, and its last line classifies {accuracy:.0%}.",
                 otherwise="On the four XOR points it converged after {epochs} epochs.")
    claims.theory("xor_not_separable", "No line separates XOR's four points, and the perceptron converges only on "
                  "linearly separable data (Rosenblatt's convergence theorem); a hidden layer removes the limit.")
    claims.check("mlp_learns_circle", c["train_accuracy"] >= 0.95, headline=True,
                 numbers={"epochs": c["epochs"], "loss": c["final_loss"], "accuracy": c["train_accuracy"]},
                 finding="The MLP separates the circle after {epochs} epochs of Adam: final training loss {loss:.4g}, "
                         "training accuracy {accuracy:.2%}.",
                 otherwise="After {epochs} epochs of Adam the MLP reached training accuracy {accuracy:.2%} (final "
                           "loss {loss:.4g}), not yet 95%.")
    claims.check("longer_training_lowers_loss", d["final_loss"] < c["final_loss"],
                 numbers={"short": c["final_loss"], "long": d["final_loss"], "epochs": d["epochs"],
                          "accuracy": d["train_accuracy"]},
                 finding="Trained for {epochs} epochs the same MLP reaches final loss {long:.4g} (against {short:.4g} "
                         "after 500) and training accuracy {accuracy:.2%}.",
                 otherwise="Trained for {epochs} epochs the loss is {long:.4g}, not below the 500-epoch run's "
                           "{short:.4g}.")
    norms = d["gradient_norm_first_last"]
    fell = [name for name, (a, b) in norms.items() if b < a]
    grew = [name for name in norms if name not in fell]
    claims.check("gradients_shrink", len(fell) == len(norms),
                 numbers={"fell": len(fell), "layers": len(norms), "grew": ", ".join(grew)},
                 finding="Every one of the {layers} layers has a smaller gradient norm in the last epoch than in "
                         "the first.",
                 otherwise="Not every layer's gradient norm fell from the first epoch to the last: {fell} of "
                           "{layers} fell, while {grew} grew.")
    return claims


def seed_document(summary: dict) -> Document:
    """How the seed's programs were run, their numbers and figures; what they found is in the claims."""
    p, c, d = summary["perceptron"], summary["classification"], summary["diagnostics"]
    doc = Document(TITLE)
    doc.heading("1. The perceptron learning algorithm")
    doc.paragraph("Zero initial weights, learning rate 0.1, samples in order, update on every mistake, stop at the "
                  "first epoch without one (at most 1000 epochs). The seed's 200 points lie on either side of a "
                  "line; XOR is four points.")
    doc.table(["", "value"], [
        ["separable data: epochs run", p["linear"]["epochs"]],
        ["separable data: training accuracy", f"{p['linear']['accuracy']:.1%}"],
        ["separable data: w, b", f"{[round(w, 4) for w in p['linear']['weights']]}, {p['linear']['bias']:.4g}"],
        ["XOR: converged", "yes" if p["xor"]["converged"] else "no"],
        ["XOR: epochs run", p["xor"]["epochs"]],
        ["XOR: accuracy of the last line", f"{p['xor']['accuracy']:.0%}"],
        ["XOR: mistakes in each of the last 10 epochs", ", ".join(map(str, p["xor"]["errors_last_10"]))],
        ["wall time", f"{p['wall_time_s'] * 1000:.1f} ms"]])
    doc.claims(["perceptron_converges", "perceptron_fails_xor", "xor_not_separable"])
    doc.image("perceptron_visualization.png", "perceptron decision boundaries")
    doc.heading(f"2. The MLP on circle data ({c['epochs']} epochs)")
    doc.paragraph("1000 points, r ~ U[0, 2), class 1 when r >= 1. Linear(2, 8) + ReLU, four Linear(8, 8) + ReLU, "
                  "Linear(8, 2): 330 parameters (the seed's comment says six hidden layers; its code builds five). "
                  "Adam, learning rate 1e-3, full batch, cross-entropy. Decision regions on the seed's 200 x 200 "
                  "grid over [-2.5, 2.5]^2. Final loss and accuracy: the finished model in eval mode on the whole "
                  "training set.")
    doc.table(["", "value"], _run_rows(c))
    doc.claims(["mlp_learns_circle"])
    doc.image("classification_visualization.png", "decision regions")
    doc.heading(f"3. Loss curve and gradients ({d['epochs']} epochs)")
    doc.table(["", "value"], _run_rows(d, " with per-layer gradient capture"))
    doc.claims(["longer_training_lowers_loss"])
    doc.image("loss_curve.png", "loss curve")
    doc.paragraph("The heatmap shows the L2 norm of each Linear layer's gradient (weight and bias together) in every "
                  "epoch on a log colour scale; the lower panel is the seed's own view, |gradient| of every "
                  "parameter after the final step.")
    doc.table(["layer", "gradient norm, first epoch", "last epoch"],
              [[name, f"{a:.3g}", f"{b:.3g}"] for name, (a, b) in d["gradient_norm_first_last"].items()])
    doc.claims(["gradients_shrink"])
    doc.image("gradient_heatmap.png", "gradient heatmap")
    return doc


def _run_rows(r: dict, extra: str = "") -> list[list]:
    return [["epochs", r["epochs"]], ["engine", r.get("engine", "")], ["final training loss", f"{r['final_loss']:.4g}"],
            ["training accuracy", f"{r['train_accuracy']:.2%}"],
            ["wall time", f"{r['wall_time_s']:.2f} s ({r['ms_per_epoch']:.2f} ms per epoch{extra})"]]
