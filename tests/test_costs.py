"""Cost of architectures: the counts against the papers, the hooks against FlopCounterMode and the closed
forms, and ``nnlab costs --quick`` end to end (one run, shared by the tests that read its output)."""
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from labcheck import check_lab_outputs
from nnlab.labs.architectures import ARCHITECTURES, build, example_inputs
from nnlab.labs.architectures.counting import profile
from nnlab.labs.architectures.formulas import encoder_layer_macs, gpt_forward_macs_per_token, gpt_params
from nnlab.labs.architectures.published import PUBLISHED

_SCRIPT = Path(sys.executable).parent / "nnlab"
NNLAB = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "nnlab.cli"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """``nnlab costs --quick``: every model counted, three timed; returns (out dir, summary)."""
    out = tmp_path_factory.mktemp("costs")
    result = subprocess.run(NNLAB + ["costs", "--quick", "--out", str(out)], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    return out, json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize("index", range(len(PUBLISHED)),
                         ids=[f"{p.model}-{p.quantity}-{p.value:.3g}" for p in PUBLISHED])
def test_computed_cost_matches_the_published_figure(run, index):
    check = run[1]["checks"][index]
    published = PUBLISHED[index]
    assert (check["model"], check["quantity"], check["published"]) == (published.model, published.quantity,
                                                                       published.value)
    assert abs(check["computed"] - published.value) <= published.tolerance * published.value
    assert check["within"]


def test_exact_counts_where_the_architecture_is_exact(run):
    models = run[1]["models"]
    assert models["lenet5"]["params"] == 60_000
    assert models["lenet5"]["connections"] == 340_908
    assert models["alexnet"]["params"] == 61_100_840
    assert models["alexnet-2012"]["params"] == 60_965_224
    assert models["resnet18"]["params"] == 11_689_512
    assert models["resnet50"]["params"] == 25_557_032
    assert models["bert-base"]["params"] == 109_482_240


def test_lenet5_layers_match_the_paper_layer_by_layer(run):
    with (run[0] / "layers_lenet5.csv").open() as f:
        rows = {r["layer"]: r for r in csv.DictReader(f)}
    # LeCun et al. 1998, Section II.B: trainable parameters and connections of each layer
    paper = {"c1": (156, 122_304), "s2": (12, 5_880), "c3": (1_516, 151_600), "s4": (32, 2_000),
             "c5": (48_120, 48_120), "f6": (10_164, 10_164), "output": (0, 840)}
    for layer, (params, connections) in paper.items():
        assert (int(rows[layer]["params"]), int(rows[layer]["connections"])) == (params, connections), layer


def test_alexnet_macs_layer_by_layer_at_224(run):
    with (run[0] / "layers_alexnet.csv").open() as f:
        rows = {r["layer"]: int(r["macs"]) for r in csv.DictReader(f) if int(r["macs"])}
    assert rows["features.0"] == 55 * 55 * 64 * (3 * 11 * 11)        # conv1: 55x55 outputs, 11x11x3 kernels
    assert rows["classifier.1"] == 9216 * 4096
    assert sum(rows.values()) == run[1]["models"]["alexnet"]["macs"]


def test_flop_counter_sees_twice_the_hooks_multiply_adds(run):
    for name, counts in run[1]["flop_counter"].items():
        assert counts["flop_counter_flops"] == counts["hook_dense_flops"], name


def test_gpt3_module_matches_the_closed_forms(run):
    s = run[1]
    assert s["models"]["gpt3"]["params"] == s["formulas"]["gpt3_params_formula"]
    assert s["models"]["gpt3"]["macs"] == s["formulas"]["gpt3_macs_formula"]
    assert s["formulas"]["gpt3_train_flops_6nd"] == pytest.approx(6 * s["models"]["gpt3"]["params"] * 300e9)


def test_gpt_closed_forms_match_a_small_module():
    from nnlab.labs.architectures.transformer import GPT
    with torch.device("meta"):
        model = GPT(vocab=100, d_model=64, heads=4, layers=3, context=32).eval()
    p = profile(model, (torch.zeros(1, 32, dtype=torch.long, device="meta"),))
    assert p.params == gpt_params(3, 64, 100, 32)
    assert p.macs == 32 * gpt_forward_macs_per_token(3, 64, 100, 32)


def test_bert_hooks_match_the_encoder_formula_at_every_length(run):
    for row in run[1]["sequence_scaling"]:
        n = row["n"]
        assert row["macs"] == row["formula_macs"] == 12 * encoder_layer_macs(n, 768, 3072) + 768 * 768
        assert row["attention_macs"] == 12 * 2 * n * n * 768


def test_large_models_on_meta_allocate_nothing():
    model = build("bert-base")
    assert all(p.is_meta for p in model.parameters())


def test_small_models_run_for_real_with_the_counted_shapes():
    torch.manual_seed(0)
    model = build("lenet5", device="cpu")
    out = model(*example_inputs("lenet5", batch=3, device="cpu"))
    assert out.shape == (3, 10) and torch.isfinite(out).all()


def test_shared_embedding_is_counted_once():
    model = build("transformer-base")
    p = profile(model, example_inputs("transformer-base"), cross_check=False)
    assert sum(l.params for l in p.layers) == p.params == 63_082_496


def test_timing_reports_time_and_rate_for_the_quick_models(run):
    rows = run[1]["timing"]["rows"]
    assert {r["model"] for r in rows} == {"perceptron", "seed-mlp", "lenet5"}
    for r in rows:
        assert r["ms_per_example"] > 0
        assert r["gflops_per_s"] == pytest.approx(2 * r["macs_per_example"] / (r["ms_per_example"] / 1e3) / 1e9)


def test_cost_by_year_chart_labels_do_not_overlap(run):
    from nnlab.labs.architectures.figures import plot_cost_by_year
    from nnlab.labs.history.figure import layout_problems
    s = run[1]
    entries = [{"title": ARCHITECTURES[n].title, "year": ARCHITECTURES[n].year, "params": s["models"][n]["params"],
                "macs": s["models"][n]["macs"]} for n in ("perceptron", "lenet5", "alexnet-2012", "resnet50",
                                                          "transformer-base", "bert-base", "gpt3")]
    entries[-1]["train_flops"] = s["formulas"]["gpt3_train_flops_6nd"]
    overlaps, outside = layout_problems(plot_cost_by_year(entries))
    assert overlaps == [] and outside == []


def test_costs_command_writes_figures_tables_and_report(run):
    out, s = run
    for name in ("cost_by_year.png", "sequence_scaling.png", "cnn_shares.png", "timing.png", "report.md",
                 "report.html", "summary.json", "claims.json", *(f"layers_{n}.csv" for n in ARCHITECTURES)):
        assert (out / name).stat().st_size > 0, name
    report = (out / "report.md").read_text()
    for heading in ("Checked against the published figures", "Layer by layer", "Perceptrons and Transformers",
                    "Case study: how CNNs transformed computer vision", "Measured: forward time on this CPU"):
        assert f"## {heading}" in report
    assert "**NO**" not in report


def test_costs_command_rejects_an_unknown_model_to_time(tmp_path):
    result = subprocess.run(NNLAB + ["costs", "--time", "lenet6", "--out", str(tmp_path)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    assert "--time" in result.stderr and "lenet5" in result.stderr and "Traceback" not in result.stderr


HEADLINES = {"published_figures_match", "gpt3_training_memory", "attention_quadratic", "sequence_params",
             "conv_most_arithmetic", "conv_weight_sharing"}


def test_quick_run_publishes_its_claims_and_every_headline_holds(run):
    out, s = run
    claims = check_lab_outputs(out, "costs")
    assert {c["id"] for c in claims if c["headline"]} == HEADLINES
    assert s["run"]["quick"] and "data:image" not in (out / "report.html").read_text()    # figures linked
    assert s["run"]["versions"]["torch_threads"] == 1                 # the lab pins torch to one thread
    assert all("{" not in c["why"] for c in s["checks"])                # every explanation filled from the run


def test_cnn_claims_cite_the_shares_the_figure_draws(run):
    """The figure once claimed that convolutions hold few parameters while its bars showed 83% and 92%: the
    claims now quote the shares, and the parameter claim names AlexNet, the one CNN where they are a minority."""
    out, s = run
    claims = {c["id"]: c for c in json.loads((out / "claims.json").read_text())}
    for case in s["cnn_case_study"]:
        assert f"{100 * case['conv_params'] / case['params']:.1f}%" in claims["conv_weight_sharing"]["text"]
        assert f"{100 * case['conv_macs'] / case['macs']:.1f}%" in claims["conv_most_arithmetic"]["text"]
    assert claims["alexnet_fc_params"]["holds"]
    page = (out / "report.html").read_text()
    assert "hold few parameters" not in page and "parameter-light" not in page


def test_a_claim_that_fails_says_what_the_numbers_show(run):
    from nnlab.labs.architectures.report import make_claims
    s = json.loads(json.dumps(run[1]))
    for case in s["cnn_case_study"]:                 # convolutions with every parameter and half the arithmetic
        case["conv_params"], case["conv_macs"] = case["params"], case["macs"] // 2
    claims = make_claims(s, quick=True)
    assert not claims["conv_weight_sharing"].holds and not claims["conv_most_arithmetic"].holds
    assert "not every CNN" in claims["conv_weight_sharing"].text and "100.0% of the parameters" in \
        claims["conv_weight_sharing"].text


def test_attention_memory_counts_only_the_score_and_probability_matrices(run):
    """The page once called 53% at n = 512 "scores and probabilities" while it also counted P V's outputs: the
    claims now count the h x n x n matrices alone (scores and softmax, 4 bytes each) and quote that share."""
    out, s = run
    claims = {c["id"]: c for c in json.loads((out / "claims.json").read_text())}
    for row in s["sequence_scaling"]:
        n = row["n"]
        assert row["attention_matrix_bytes"] == 12 * 2 * 12 * n * n * 4
        assert row["attention_matrix_bytes"] < row["attention_activation_bytes"]
    at_512 = next(r for r in s["sequence_scaling"] if r["n"] == 512)
    assert at_512["attention_matrix_bytes"] / at_512["activation_bytes"] < 0.5       # 49.5%: not yet half
    memory = claims["attention_memory_first"]
    assert memory["holds"] and "n = 1,024" in memory["text"] and "49.5% at n = 512" in memory["text"]
    gpt3 = s["gpt3_attention_matrix_bytes"]
    assert gpt3 == 96 * 2 * 96 * 2048 * 2048 * 4
    share = gpt3 / s["models"]["gpt3"]["activation_bytes"]
    assert f"{share:.0%}" in claims["gpt3_activations_exceed_an_accelerator"]["text"]
    # the utilisation reading is theory, not part of the finding
    assert "utilisation" not in claims["transformer_paper_above_count"]["text"]
    assert claims["transformer_ratio_reading"]["kind"] == "theory"


def test_cnn_shares_ticks_name_each_year_once(run):
    from nnlab.labs.architectures.figures import plot_cnn_shares
    fig = plot_cnn_shares(run[1]["cnn_case_study"])
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "AlexNet (2012 paper)" in ticks and all(t.count("(") == 1 for t in ticks)
