"""Playground speed in headless Chromium: epochs/s and frames drawn/s while playing, for TF Playground's default
net and for circle with six hidden layers of eight tanh units (batch 10, lr 0.03, classic mode).

The server runs in its own process, as ``nnlab playground`` does; the page is driven by Playwright with
Debian's chromium. For each configuration: load, press play, warm up, then read the page's counters
(``window.__playground``: frames drawn, epoch shown) over a window, several times; the median is reported,
with the training-only speed of the same Trainer (no drawing) beside it. Writes benchmarks/results/playground.md.

    python benchmarks/playground.py [--seconds 8] [--repeats 3] [--screenshots docs/figures]
"""
from __future__ import annotations

import argparse
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


def start_server(port: int) -> subprocess.Popen:
    code = f"from nnlab.playground.server import serve; serve(port={port})"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--screenshots", type=Path, default=None, help="also save the two screenshots here")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "playground.md")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}/"
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            version = browser.version
            runs = {name: [] for name in CONFIGS}
            for _ in range(args.repeats):                  # interleaved, so load drifts hit both alike
                for name, hash_ in CONFIGS.items():
                    runs[name].append(measure(browser, f"{base}#{hash_}", args.seconds))
                    print(name, runs[name][-1], flush=True)
            if args.screenshots:
                for path in screenshots(browser, base, args.screenshots):
                    print("wrote", path)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    for name, results in runs.items():
        hidden = [8] * 6 if "8-8" in name else [4, 2]
        rows.append((name, statistics.median(r["epochs_s"] for r in results),
                     min(r["epochs_s"] for r in results), max(r["epochs_s"] for r in results),
                     statistics.median(r["frames_s"] for r in results), trainer_only(hidden), results[-1]["loss"]))
    lines = ["# Playground speed in headless Chromium", "",
             f"Chromium {version} headless (`{' '.join(ARGS)}`), Playwright; server in its own process. "
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
              "trains in chunks of about 5 ms. Each frame carries the 100 x 100 output map, every neuron's 20 x 20 map, all "
              "weights and one chart point (the train and test loss at that epoch).", ""]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
