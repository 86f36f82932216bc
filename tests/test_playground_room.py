"""The playground serving a room: kernels that release the interpreter's lock, tabs that stop training when nobody
draws them, and frozen clients dropped so their seats come free.

The server runs in a process of its own (``nnlab playground``), so its CPU time can be read with psutil.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

psutil = pytest.importorskip("psutil")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``nnlab playground`` in a subprocess."""

    def __init__(self, *args):
        self.port = _free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "nnlab.cli", "playground", "--port", str(self.port),
                                      *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert "nnlab playground at" in self.proc.stdout.readline()
        self.url = f"ws://127.0.0.1:{self.port}/ws"
        self.ps = psutil.Process(self.proc.pid)

    def cpu_seconds(self) -> float:
        t = self.ps.cpu_times()
        return t.user + t.system

    def cores_used(self, seconds: float) -> float:
        c0, t0 = self.cpu_seconds(), time.perf_counter()
        time.sleep(seconds)
        return (self.cpu_seconds() - c0) / (time.perf_counter() - t0)

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


@pytest.fixture
def server():
    srv = Server("--max-tabs", "2")
    yield srv
    err = srv.stop()
    assert "Traceback" not in err, err[-3000:]


def _until(ws, kind, timeout=10):
    while True:
        msg = json.loads(ws.recv(timeout=timeout))
        if msg["type"] == kind:
            return msg


def _play_and_draw(ws, seconds):
    """Press play and acknowledge every frame for ``seconds``, as the page does; the last frame."""
    ws.send('{"type": "play"}')
    end, frame = time.perf_counter() + seconds, None
    while time.perf_counter() < end:
        frame = _until(ws, "frame")
        ws.send('{"type": "ready"}')
    return frame


def test_the_kernels_release_the_interpreters_lock():
    """While one thread runs a long classic epoch call, another thread's Python code keeps running."""
    from nnlab.playground.protocol import Settings
    from nnlab.playground.session import Session
    s = Session(Settings(seed=1, networkShape=[8, 8, 8, 8, 8, 8]))
    s.trainer.step(5)                                    # compiled and warm
    counter, done = [0], threading.Event()

    def count():
        while not done.is_set():
            counter[0] += 1

    thread = threading.Thread(target=count)
    thread.start()
    time.sleep(0.05)
    before = counter[0]
    start = time.perf_counter()
    s.trainer.step(400)                                  # one compiled call of ~0.1-0.3 s
    spent = time.perf_counter() - start
    during = counter[0] - before
    done.set()
    thread.join()
    assert spent > 0.02
    assert during > 1000, f"the other thread ran {during} loop iterations during {spent:.3f} s of training"


def test_a_tab_that_stops_acknowledging_frames_stops_training_and_costs_no_cpu(server):
    from websockets.sync.client import connect

    from nnlab.playground.server import IDLE_PAUSE_S
    with connect(server.url) as ws:
        _until(ws, "hello")
        epoch = _play_and_draw(ws, 1.0)["epoch"]
        assert epoch > 0
        time.sleep(IDLE_PAUSE_S + 1.0)                   # frames sent, none acknowledged
        used = server.cores_used(2.0)
        assert used < 0.1, f"an unwatched tab still costs {used:.2f} cores"
        while True:                                      # drawing again resumes training
            try:
                ws.recv(timeout=0.2)
            except TimeoutError:
                break
        ws.send('{"type": "ready"}')
        later = _until(ws, "frame")["epoch"]
        ws.send('{"type": "ready"}')
        assert _until(ws, "frame")["epoch"] > later >= epoch


def test_a_hidden_page_pauses_training_at_once_and_resumes_when_shown(server):
    from websockets.sync.client import connect
    with connect(server.url) as ws:
        _until(ws, "hello")
        _play_and_draw(ws, 0.5)
        ws.send('{"type": "visibility", "hidden": true}')
        time.sleep(0.5)
        used = server.cores_used(1.5)
        assert used < 0.1, f"a hidden tab still costs {used:.2f} cores"
        ws.send('{"type": "visibility", "hidden": false}')
        ws.send('{"type": "ready"}')
        first = _until(ws, "frame")["epoch"]
        ws.send('{"type": "ready"}')
        assert _until(ws, "frame")["epoch"] > first


_FROZEN_CLIENT = """
import sys, time
from websockets.sync.client import connect
ws = connect(sys.argv[1])
ws.send('{"type": "play"}')
print("connected", flush=True)
time.sleep(600)
"""


def test_a_frozen_client_is_dropped_within_seconds_and_its_seat_freed():
    from websockets.sync.client import connect

    from nnlab.playground.server import PING_INTERVAL_S, PING_TIMEOUT_S
    srv = Server("--max-tabs", "1")
    client = subprocess.Popen([sys.executable, "-c", _FROZEN_CLIENT, srv.url], stdout=subprocess.PIPE, text=True)
    try:
        assert client.stdout.readline().startswith("connected")
        time.sleep(0.5)
        client.send_signal(signal.SIGSTOP)               # frozen: reads nothing, answers no ping
        frozen_at = time.perf_counter()
        limit = PING_INTERVAL_S + PING_TIMEOUT_S + 2.0
        seated = None
        while time.perf_counter() - frozen_at < limit + 5:
            with connect(srv.url) as ws:
                msg = json.loads(ws.recv(timeout=5))
                if msg["type"] == "hello":
                    seated = time.perf_counter() - frozen_at
                    break
                assert "limit" in msg["message"]
            time.sleep(0.5)
        assert seated is not None and seated <= limit, f"the seat came free after {seated} s"
    finally:
        client.kill()
        client.wait()
        err = srv.stop()
    assert "Traceback" not in err, err[-3000:]


def test_export_focus_and_settings_while_training_are_consistent(server):
    """Messages that read or change the session while its training runs in another thread see whole epochs."""
    from websockets.sync.client import connect
    with connect(server.url) as ws:
        _until(ws, "hello")
        ws.send('{"type": "play"}')
        for i in range(31):
            ws.send(json.dumps({"type": "export", "what": "weights"}))
            ws.send(json.dumps({"type": "focus", "node": "1:0" if i % 2 else None}))
            ws.send(json.dumps({"type": "set_lr", "value": 0.03 if i % 2 else 0.01}))   # the last: 0.01
            ws.send('{"type": "ready"}')
            exported = _until(ws, "export")
            assert exported["text"]
        ws.send('{"type": "pause"}')
        while (msg := json.loads(ws.recv(timeout=10)))["type"] != "frame" or msg["playing"]:
            assert msg["type"] != "error", msg
        assert np.all(np.isfinite(msg["weights"]))
        assert msg["learningRate"] == 0.01
