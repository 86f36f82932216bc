"""The ray executor against a real Ray head started here on 127.0.0.1 (skipped when Ray is not installed)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from nnlab.runs import RunStore

ray = pytest.importorskip("ray", reason="the ray executor's tests need Ray (pip install ray)")

BIN = Path(sys.executable).parent
NNLAB = [str(BIN / "nnlab")] if (BIN / "nnlab").exists() else [sys.executable, "-m", "nnlab.cli"]
RAY = str(BIN / "ray") if (BIN / "ray").exists() else shutil.which("ray")
# Keep Ray on this machine, small and quiet.
RAY_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ray_head():
    """A Ray head on 127.0.0.1 with 2 CPUs and a 100 MB object store; stopped (its process group) afterwards."""
    if RAY is None:
        pytest.skip("the 'ray' command is not on PATH")
    temp = tempfile.mkdtemp(prefix="nnlab-ray-")      # short: Ray's socket paths must stay under 107 bytes
    port = _free_port()
    log = open(Path(temp) / "head.log", "w")
    head = subprocess.Popen(
        [RAY, "start", "--head", "--block", f"--port={port}", "--node-ip-address=127.0.0.1", "--num-cpus=2",
         "--object-store-memory=100000000", "--include-dashboard=false", "--disable-usage-stats",
         f"--temp-dir={temp}", f"--ray-client-server-port={_free_port()}", f"--dashboard-port={_free_port()}",
         f"--dashboard-agent-listen-port={_free_port()}"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **RAY_ENV}, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while "Ray runtime started" not in (Path(temp) / "head.log").read_text():
            if head.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Ray head did not start:\n" + (Path(temp) / "head.log").read_text()[-3000:])
            time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        head.send_signal(signal.SIGTERM)            # ray start --block stops the processes it started
        try:
            head.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(head.pid, signal.SIGKILL)     # anything of that group still alive (ours alone)
        except ProcessLookupError:
            pass
        log.close()
        shutil.rmtree(temp, ignore_errors=True)


def _sweep(*args, timeout=240):
    return subprocess.run(NNLAB + ["sweep", *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **RAY_ENV})


def test_trials_run_as_ray_tasks_and_land_in_the_local_store(ray_head, tmp_path):
    spec = {"name": "on-ray",
            "base": {"data": {"dataset": "moons", "n": 100, "path": str(tmp_path / "missing.csv")},
                     "model": {"hidden_sizes": [6]}, "train": {"epochs": 12}},
            "grid": {"data.dataset": ["moons", "csv"], "train.lr": [0.01, 0.03]}}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    result = _sweep(tmp_path / "spec.json", "--executor", "ray", "--address", ray_head, "--store", tmp_path / "s")
    assert result.returncode == 1, result.stderr          # two trials fail (no CSV file); the others finish
    assert "4 trials: 2 finished, 2 failed" in result.stdout
    with RunStore(tmp_path / "s") as store:
        finished = store.list(sweep_id="on-ray", status="finished")
        assert len(finished) == 2 and all(r.versions["executor"] == "ray" for r in finished)
        assert all(len(store.metrics(r.id)["loss"]) == 12 and r.final["epochs_run"] == 12 for r in finished)
        failed = store.list(sweep_id="on-ray", status="failed")
        assert len(failed) == 2 and all("missing.csv" in r.error for r in failed)


def test_an_unreachable_ray_address_fails_at_once_with_one_line(tmp_path):
    (tmp_path / "spec.json").write_text(json.dumps({"name": "nowhere", "grid": {"train.lr": [0.01]}}))
    port = _free_port()                                       # nothing listens there
    result = _sweep(tmp_path / "spec.json", "--executor", "ray", "--address", f"127.0.0.1:{port}",
                    "--store", tmp_path / "s", timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: --address: Cannot reach a Ray cluster at 127.0.0.1:{port}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_port_of_another_program_is_refused_with_one_line(tmp_path):
    (tmp_path / "spec.json").write_text(json.dumps({"name": "elsewhere", "grid": {"train.lr": [0.01]}}))
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def answer_like_a_web_server():
        conn, _ = server.accept()
        with conn:
            conn.recv(64)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    import threading
    thread = threading.Thread(target=answer_like_a_web_server, daemon=True)
    thread.start()
    try:
        result = _sweep(tmp_path / "spec.json", "--executor", "ray", "--address",
                        f"127.0.0.1:{server.getsockname()[1]}", "--store", tmp_path / "s", timeout=60)
    finally:
        server.close()
    assert result.returncode == 2 and "but it is not a Ray cluster" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
