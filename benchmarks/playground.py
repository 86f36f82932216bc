"""Playground speed in headless Chromium: epochs/s and frames drawn/s while playing, for TF Playground's default
net and for circle with six hidden layers of eight tanh units (batch 10, lr 0.03, classic mode); and a room: one
server with N = 1, 2, 4, 8 tabs (one real page plus N - 1 headless clients that behave like it).

The server runs in its own process, as ``nnlab playground`` does; the page is driven by Playwright with
Debian's chromium. For each configuration: load, press play, warm up, then read the page's counters
(``window.__playground``: frames drawn, epoch shown) over a window, several times; the median is reported,
with the training-only speed of the same Trainer (no drawing) beside it. Writes benchmarks/results/playground.md.

The room (``--part room``): for each N, frames/s and epochs/s of every tab, their fairness (the slowest tab's
epochs/s over the fastest's), how long a learning-rate change takes to show in a drawn frame, and the cores the
server process used; then one watched page beside seven tabs that stopped drawing (background tabs). Writes
benchmarks/results/playground_room.md.

    python benchmarks/playground.py [--part single|room|all] [--seconds 8] [--repeats 3] [--screenshots docs/figures]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
CONFIGS = {
    "defaults (circle, 4-2 tanh, batch 10)": "seed=12345",
    "circle, 8-8-8-8-8-8 tanh, batch 10": "seed=12345&networkShape=8,8,8,8,8,8",
}
GOALS = {"defaults (circle, 4-2 tanh, batch 10)": (500, None), "circle, 8-8-8-8-8-8 tanh, batch 10": (100, 20)}
TF_PLAYGROUND = {"defaults (circle, 4-2 tanh, batch 10)": "60 (rAF cap)", "circle, 8-8-8-8-8-8 tanh, batch 10": "26"}
SPIRAL = ("seed=12345&dataset=spiral&noise=0&networkShape=8,8,8,8,8,8&x=true&y=true&xSquared=true&ySquared=true"
          "&xTimesY=true&sinX=true&sinY=true&showTestData=true&learningRate=0.03")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, max_tabs: int = 8) -> subprocess.Popen:
    code = f"from nnlab.playground.server import serve; serve(port={port}, max_tabs={max_tabs})"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the playground server did not start")


def counters(page) -> tuple[float, int, int]:
    return page.evaluate("[performance.now() / 1000, window.__playground.epoch, window.__playground.frames]")


def measure(browser, url: str, seconds: float, warmup: float = 2.0) -> dict:
    page = browser.new_page(viewport={"width": 1150, "height": 900})
    page.goto(url)
    page.wait_for_function("window.__playground && window.__playground.frames > 0", timeout=30000)
    page.click("#play")
    time.sleep(warmup)
    t0, e0, f0 = counters(page)
    time.sleep(seconds)
    t1, e1, f1 = counters(page)
    page.click("#play")
    loss = page.evaluate("window.__playground.trainLoss")
    page.close()
    return {"epochs_s": (e1 - e0) / (t1 - t0), "frames_s": (f1 - f0) / (t1 - t0), "epoch": e1, "loss": loss}


def trainer_only(hidden) -> float:
    """Epochs/s of the classic Trainer alone (no drawing, no evaluation) on the same data."""
    from nnlab.playground.protocol import Settings
    from nnlab.playground.session import Session
    s = Session(Settings(seed=12345, networkShape=list(hidden)))
    s.trainer.step(20)
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < 1.0:
        s.trainer.step(50)
        n += 50
    return n / (time.perf_counter() - start)


def screenshots(browser, base: str, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1150, "height": 900})
    page.goto(base + "#seed=12345")
    page.wait_for_function("window.__playground && window.__playground.frames > 0")
    page.screenshot(path=out / "playground_default.png", full_page=True)
    page.goto("about:blank")
    page.goto(base + "#" + SPIRAL)
    page.wait_for_function("window.__playground && window.__playground.frames > 0")
    page.click("#play")
    page.wait_for_function("window.__playground.epoch > 3000 && window.__playground.trainLoss < 0.01", timeout=60000)
    page.click("#play")
    page.wait_for_function("window.__playground.playing === false")
    page.screenshot(path=out / "playground_spiral.png", full_page=True)
    page.close()
    return [out / "playground_default.png", out / "playground_spiral.png"]


ROOM_GOALS = {"frames_s": 15.0, "fairness": 0.8, "latency_s": 0.2}
_SHOW_CHANGE = """async (v) => {
  const select = document.getElementById("learningRate"), t0 = performance.now();
  select.value = String(v); select.dispatchEvent(new Event("change"));
  while (window.__playground.learningRate !== v) await new Promise(r => requestAnimationFrame(r));
  return (performance.now() - t0) / 1000;
}"""


def _clients(url: str, n: int, seconds: float, warmup: float, unwatched: bool = False) -> subprocess.Popen | None:
    """n headless tabs in a process of their own (``room_clients.py``); None for none."""
    if n <= 0:
        return None
    cmd = [sys.executable, str(Path(__file__).parent / "room_clients.py"), url, str(n), "--seconds", str(seconds),
           "--warmup", str(warmup)]
    return subprocess.Popen(cmd + (["--unwatched"] if unwatched else []), stdout=subprocess.PIPE, text=True)


def room_round(browser, base: str, server, n: int, seconds: float, warmup: float, unwatched: bool = False) -> dict:
    """One real page and n - 1 headless clients for ``seconds`` after ``warmup``; the page changes its learning
    rate once a second (0.03 <-> 0.01) and times each change until a frame drawn at the new rate."""
    import psutil
    ps = psutil.Process(server.pid)
    page = browser.new_page(viewport={"width": 1150, "height": 900})
    page.goto(base + "#seed=12345")
    page.wait_for_function("window.__playground && window.__playground.frames > 0", timeout=30000)
    page.click("#play")
    clients = _clients(base.replace("http://", "ws://") + "ws", n - 1, seconds, warmup, unwatched)
    time.sleep(warmup)
    cpu0, (t0, e0, f0) = sum(ps.cpu_times()[:2]), counters(page)
    latencies, k = [], 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end - 1.0:
        time.sleep(0.8)
        k += 1
        if not unwatched:
            latencies.append(page.evaluate(_SHOW_CHANGE, (0.03, 0.01)[k % 2]))
    time.sleep(max(end - time.perf_counter(), 0))
    t1, e1, f1 = counters(page)
    cores = (sum(ps.cpu_times()[:2]) - cpu0) / (t1 - t0)
    page.click("#play")
    page.close()
    others = json.loads(clients.communicate()[0]) if clients else []
    tabs = [{"frames_s": (f1 - f0) / (t1 - t0), "epochs_s": (e1 - e0) / (t1 - t0), "latencies": latencies}] + others
    return {"n": n, "page": tabs[0], "clients": others, "cores": cores,
            "latencies": [x for t in tabs for x in t["latencies"]]}


def room(browser, base: str, server, seconds: float, warmup: float) -> list[str]:
    from nnlab.playground.server import IDLE_PAUSE_S
    rows = []
    for n in (1, 2, 4, 8):
        r = room_round(browser, base, server, n, seconds, warmup)
        print(f"room N={n}: page {r['page']['frames_s']:.1f} frames/s, {r['cores']:.2f} cores", flush=True)
        rows.append(r)
    # the seven stop acknowledging at 2 s and pause IDLE_PAUSE_S later: measure after that
    bg = room_round(browser, base, server, 8, seconds, max(warmup, 2 + IDLE_PAUSE_S + 1), unwatched=True)
    print(f"room, 7 unwatched: page {bg['page']['frames_s']:.1f} frames/s, {bg['cores']:.2f} cores", flush=True)
    lines = ["# The playground serving a room", "",
             f"One server process (`nnlab playground`), {os.cpu_count()} CPUs "
             f"({platform.processor() or platform.machine()}); on the same machine one headless Chromium page "
             f"and N - 1 headless clients (`benchmarks/room_clients.py`: each acknowledges a frame 8 ms after it "
             f"arrives, as a page that draws it; each changes its learning rate once a second). Default network "
             f"(circle, 4-2 tanh, batch 10, classic mode). {warmup:g} s warm-up, then {seconds:g} s measured. "
             f"Load average {os.getloadavg()[0]:.1f} at the end.", "",
             f"Goals at N = 8: every tab at {ROOM_GOALS['frames_s']:g} frames/s or more, fairness (slowest tab's "
             f"epochs/s / fastest's) {ROOM_GOALS['fairness']:g} or more, a setting change shown within "
             f"{ROOM_GOALS['latency_s']:g} s (median).", "",
             "| tabs | frames/s per tab, min (median) | the page's frames/s | epochs/s per tab, median | "
             "fairness min/max | setting change shown, median (max) | server cores used | goals met |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        tabs = [r["page"], *r["clients"]]
        fps = [t["frames_s"] for t in tabs]
        eps = [t["epochs_s"] for t in tabs]
        lat = r["latencies"]
        fair = min(eps) / max(eps)
        met = (min(fps) >= ROOM_GOALS["frames_s"] and fair >= ROOM_GOALS["fairness"]
               and statistics.median(lat) <= ROOM_GOALS["latency_s"])
        lines.append(f"| {r['n']} | {min(fps):.1f} ({statistics.median(fps):.1f}) | {r['page']['frames_s']:.1f} | "
                     f"{statistics.median(eps):,.0f} | {fair:.2f} | {statistics.median(lat):.3f} s "
                     f"({max(lat):.3f} s) | {r['cores']:.2f} | {'yes' if met else 'no'} |")
    alone = rows[0]
    lines += ["", f"One watched page beside seven tabs that stopped acknowledging frames after 2 s (as background "
              f"tabs do; the server pauses a tab {IDLE_PAUSE_S:g} s after its last acknowledgement), measured from "
              f"{2 + IDLE_PAUSE_S + 1:g} s on: the page drew {bg['page']['frames_s']:.1f} frames/s and trained "
              f"{bg['page']['epochs_s']:,.0f} epochs/s (alone: {alone['page']['frames_s']:.1f} and "
              f"{alone['page']['epochs_s']:,.0f}); the server used {bg['cores']:.2f} cores (alone: "
              f"{alone['cores']:.2f}).", ""]
    return lines


def single(browser, base: str, args) -> list[str]:
    rows = []
    runs = {name: [] for name in CONFIGS}
    for _ in range(args.repeats):                  # interleaved, so load drifts hit both alike
        for name, hash_ in CONFIGS.items():
            runs[name].append(measure(browser, f"{base}#{hash_}", args.seconds))
            print(name, runs[name][-1], flush=True)
    if args.screenshots:
        for path in screenshots(browser, base, args.screenshots):
            print("wrote", path)
    for name, results in runs.items():
        hidden = [8] * 6 if "8-8" in name else [4, 2]
        rows.append((name, statistics.median(r["epochs_s"] for r in results),
                     min(r["epochs_s"] for r in results), max(r["epochs_s"] for r in results),
                     statistics.median(r["frames_s"] for r in results), trainer_only(hidden), results[-1]["loss"]))
    lines = ["# Playground speed in headless Chromium", "",
             f"Chromium {browser.version} headless (`{' '.join(ARGS)}`), Playwright; server in its own process. "
             f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), load average "
             f"{os.getloadavg()[0]:.1f} at the end. Classic mode (TF Playground's semantics), lr 0.03, "
             f"{args.repeats} interleaved runs of {args.seconds:g} s after a 2 s warm-up; median (min-max).", "",
             "| configuration | epochs/s in the page | frames drawn/s | goal (epochs/s, frames/s) | "
             "TF Playground epochs/s (reference sec. 7) | Trainer alone, epochs/s | train loss at the end |",
             "|---|---|---|---|---|---|---|"]
    for name, med, lo, hi, fps, alone, loss in rows:
        goal = GOALS[name]
        lines.append(f"| {name} | {med:,.0f} ({lo:,.0f}-{hi:,.0f}) | {fps:.1f} | >= {goal[0]}"
                     f"{', >= ' + str(goal[1]) if goal[1] else ''} | {TF_PLAYGROUND[name]} | {alone:,.0f} | "
                     f"{loss:.4f} |")
    lines += ["", "Epochs/s counts whole passes over the 250 training points (25 updates each at batch 10). A frame "
              "is sent only after the page has drawn the previous one, at most 30 per second; meanwhile the server "
              "trains in chunks of about 5 ms. Each frame carries the 100 x 100 output map, every neuron's 20 x 20 "
              "map, all weights and one chart point (the train and test loss at that epoch).", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["single", "room", "all"], default="all")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=3.0, help="the room's warm-up, seconds")
    parser.add_argument("--screenshots", type=Path, default=None, help="also save the two screenshots here")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    port = free_port()
    server = start_server(port, max_tabs=8)
    base = f"http://127.0.0.1:{port}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            outputs = {}
            if args.part in ("single", "all"):
                outputs["playground.md"] = single(browser, base, args)
            if args.part in ("room", "all"):
                outputs["playground_room.md"] = room(browser, base, server, args.seconds, args.warmup)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    for name, lines in outputs.items():
        (args.out / name).write_text("\n".join(lines))
        print("\n".join(lines))


if __name__ == "__main__":
    main()
