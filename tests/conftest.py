import os
import tempfile

import pytest

# Tests run single-threaded torch: results do not depend on the machine's core count, and parallel runs don't fight.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Every `nnlab train` records itself; tests that do not name a store record into a throwaway one, not ./nnlab-runs.
os.environ.setdefault("NNLAB_STORE", tempfile.mkdtemp(prefix="nnlab-test-store-"))


@pytest.fixture(autouse=True, scope="session")
def _single_thread_torch():
    try:
        import torch
    except ImportError:   # pragma: no cover
        return
    torch.set_num_threads(1)
