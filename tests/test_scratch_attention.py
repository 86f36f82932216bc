"""Scaled dot-product attention from scratch (nnlab.scratch.attention) against torch in float64."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnlab.scratch.attention import attention_backward, attention_forward, causal_mask, check_against_torch
from nnlab.scratch.gradcheck import central_differences, relative_error


def _torch(q, k, v, g, **kw):
    tq, tk, tv = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (q, k, v))
    out = F.scaled_dot_product_attention(tq, tk, tv, **kw)
    out.backward(torch.tensor(g))
    return out.detach().numpy(), tq.grad.numpy(), tk.grad.numpy(), tv.grad.numpy()


@pytest.mark.parametrize("shape", [(1, 1, 1, 1, 1, 1), (2, 3, 7, 5, 4, 6), (3, 6, 9, 8, 2), (4, 4, 16, 3)])
@pytest.mark.parametrize("causal", [False, True])
def test_forward_and_gradients_match_torch_to_1e10(shape, causal):
    rng = np.random.default_rng(len(shape) * 10 + causal)
    *batch, n, m, d, e = shape
    q, k = rng.standard_normal((*batch, n, d)) * 2, rng.standard_normal((*batch, m, d)) * 2
    v, g = rng.standard_normal((*batch, m, e)), rng.standard_normal((*batch, n, e))
    out, cache = attention_forward(q, k, v, causal=causal)
    ours = (out, *attention_backward(g, cache))
    theirs = _torch(q, k, v, g, is_causal=causal)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        assert relative_error(a, b) <= 1e-10


def test_an_explicit_scale_matches_torch():
    rng = np.random.default_rng(1)
    q, k, v, g = (rng.standard_normal((2, 5, 3)) for _ in range(4))
    out, cache = attention_forward(q, k, v, scale=0.7)
    for a, b in zip((out, *attention_backward(g, cache)), _torch(q, k, v, g, scale=0.7)):
        assert relative_error(a, b) <= 1e-10


def test_the_backward_pass_agrees_with_central_differences():
    rng = np.random.default_rng(2)
    q, k, v = rng.standard_normal((4, 3)), rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    g = rng.standard_normal((4, 2))
    for causal in (False, True):
        loss = lambda causal=causal: float((attention_forward(q, k, v, causal=causal)[0] * g).sum())
        numeric = central_differences(loss, [q, k, v])
        exact = attention_backward(g, attention_forward(q, k, v, causal=causal)[1])
        for a, b in zip(exact, numeric):
            assert relative_error(a, b) < 1e-7


def test_the_causal_mask_hides_later_keys():
    assert causal_mask(3, 4).tolist() == [[True, False, False, False], [True, True, False, False],
                                          [True, True, True, False]]
    rng = np.random.default_rng(3)
    q, k, v = rng.standard_normal((6, 4)), rng.standard_normal((6, 4)), rng.standard_normal((6, 2))
    out, cache = attention_forward(q, k, v, causal=True)
    p = cache[3]
    assert np.all(p[np.triu_indices(6, 1)] == 0) and np.allclose(p.sum(-1), 1)
    np.testing.assert_allclose(out[0], v[0])                      # the first query sees only the first key
    changed = v.copy()
    changed[-1] += 10.0                                           # the last value reaches the last query only
    out2, _ = attention_forward(q, k, changed, causal=True)
    np.testing.assert_array_equal(out2[:-1], out[:-1])
    assert not np.allclose(out2[-1], out[-1])


def test_the_softmax_is_stable_for_large_scores():
    q = np.full((2, 3), 400.0)
    k = np.array([[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]])
    out, _ = attention_forward(q, k, np.eye(2))
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, [[1.0, 0.0], [1.0, 0.0]])


def test_check_against_torch_reports_every_case_and_a_tiny_error():
    result = check_against_torch()
    assert result["max_rel_error"] <= 1e-10
    assert {c["causal"] for c in result["cases"]} == {False, True}
    assert all(set(c["errors"]) == {"out", "dq", "dk", "dv"} for c in result["cases"])
