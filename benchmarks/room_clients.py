"""Headless playground tabs for the room benchmark: WebSocket clients that behave like the page.

A client connects, presses play and, for every frame, waits about as long as the page takes to draw it and for
its next animation frame (``--draw-ms``), then acknowledges it with ``ready``, as ``app.js`` does. Every
``--change-every`` seconds it changes the learning rate (0.03 <-> 0.01, the page's ``set_lr``) and times how long
until a frame trained at the new rate arrives (frames carry ``learningRate``). ``--unwatched`` clients
acknowledge frames for two seconds and then stop, as a tab in the background does.

Run as a process of its own, so the clients' work does not share an interpreter with the browser driver:

    python benchmarks/room_clients.py ws://127.0.0.1:8000/ws 7 --seconds 10 [--unwatched]

It prints one JSON object: for each client its frames/s, epochs/s and the setting changes' latencies, measured
after a warm-up of ``--warmup`` seconds.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import time

_EPOCH = re.compile(r'"epoch": (\d+)')
_LR = re.compile(r'"learningRate": ([0-9.e+-]+)')
_RATES = (0.03, 0.01)


async def one_client(url: str, seconds: float, warmup: float, draw_s: float, change_every: float,
                     unwatched: bool) -> dict:
    import websockets
    origin = url.replace("ws://", "http://").rsplit("/ws", 1)[0]
    frames: list[tuple[float, int]] = []
    latencies: list[float] = []
    pending: list = []                               # [sent at, rate] of the change not yet seen in a frame
    start = time.perf_counter()
    async with websockets.connect(url, origin=origin, max_size=2**22, compression="deflate") as ws:
        await ws.send('{"type": "play"}')

        async def read():
            async for text in ws:
                if not text.startswith('{"type": "frame"'):
                    continue
                now = time.perf_counter()
                frames.append((now, int(_EPOCH.search(text).group(1))))
                rate = _LR.search(text)
                if pending and rate and float(rate.group(1)) == pending[1]:
                    latencies.append(now - pending[0])
                    pending.clear()
                if unwatched and now - start > 2.0:
                    continue                         # a background tab: no more acknowledgements
                await asyncio.sleep(draw_s)
                await ws.send('{"type": "ready"}')

        reader = asyncio.create_task(read())
        k, next_change = 0, start + warmup
        while time.perf_counter() - start < warmup + seconds:
            await asyncio.sleep(0.05)
            if change_every and not unwatched and time.perf_counter() >= next_change and not pending:
                k += 1
                pending[:] = [time.perf_counter(), _RATES[k % 2]]
                await ws.send(json.dumps({"type": "set_lr", "value": _RATES[k % 2]}))
                next_change = time.perf_counter() + change_every
        reader.cancel()
    measured = [f for f in frames if f[0] >= start + warmup]
    span = measured[-1][0] - measured[0][0] if len(measured) > 1 else 0.0
    return {"frames_s": (len(measured) - 1) / span if span else 0.0,
            "epochs_s": (measured[-1][1] - measured[0][1]) / span if span else 0.0,
            "latencies": latencies, "frames": len(frames)}


async def run(url: str, n: int, **kw) -> list[dict]:
    return await asyncio.gather(*(one_client(url, **kw) for _ in range(n)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("n", type=int)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--draw-ms", type=float, default=8.0)
    parser.add_argument("--change-every", type=float, default=1.0)
    parser.add_argument("--unwatched", action="store_true")
    args = parser.parse_args()
    results = asyncio.run(run(args.url, args.n, seconds=args.seconds, warmup=args.warmup, draw_s=args.draw_ms / 1000,
                              change_every=args.change_every, unwatched=args.unwatched))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
