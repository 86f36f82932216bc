"""One browser tab on the server: its session, the play loop (training in chunks on a pool of one thread per
core, a frame whenever the page has drawn the last), pausing while nobody draws the tab, and its messages."""
from __future__ import annotations

import asyncio
import functools
import json
import math
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from nnlab._validation import InvalidArgument
from nnlab.jsonsafe import json_safe
from nnlab.playground.hosts import close_reason
from nnlab.playground.protocol import (
    CLASSIC_ACTIVATIONS,
    LEARNING_RATES,
    LIMITS,
    REGULARIZATION_RATES,
)

__all__ = ["Tab", "catalog", "training_pool", "CHUNK_S", "MAX_FPS", "IDLE_PAUSE_S", "SEND_TIMEOUT_S"]

CHUNK_S = 0.005                  # training between two looks at the page's state
MAX_FPS = 30                     # frames sent per second at most; the rest of the time trains
IDLE_PAUSE_S = 3.0               # a tab that acknowledged no frame for this long stops training until it does
SEND_TIMEOUT_S = 5.0             # a message the client does not take within this drops it
TRAINING_NICE = 5                # training threads yield to the threads that serve frames and messages (Linux)


def _lower_priority() -> None:
    """Run this thread at a lower priority than the rest of the process (Linux sets nice per thread)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), TRAINING_NICE)
    except (AttributeError, OSError):      # not Linux, or not permitted: the same priority as the others
        pass


@functools.cache
def training_pool() -> ThreadPoolExecutor:
    """The threads every tab's training chunks run on: one per core."""
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="nnlab-train",
                              initializer=_lower_priority)


class Gone(Exception):
    """The tab's socket is closed: nothing more can be sent to it."""



@functools.cache
def catalog() -> dict:
    """What the menus offer (from the registries) and each data set's thumbnail points; made once per process
    (every tab asks for it, and it never changes). Callers copy it before adding to it."""
    from nnlab.data import DATASETS, make_dataset
    from nnlab.nn import ACTIVATIONS, INITS
    from nnlab.training import LOSSES, OPTIMIZERS
    thumbs = {}
    for name, spec in DATASETS.items():
        X, y = make_dataset(name, noise=0.0, seed=0)
        pick = np.random.default_rng(0).permutation(len(X))[:200]
        thumbs[name] = {"points": np.round(np.column_stack([X[pick], y[pick]]), 3).tolist(),
                        "task": spec.task, "domain": spec.domain, "description": spec.description}
    return {"type": "catalog", "datasets": thumbs, "activations": list(ACTIVATIONS),
            "classic_activations": list(CLASSIC_ACTIVATIONS), "optimizers": list(OPTIMIZERS), "losses": list(LOSSES),
            "inits": list(INITS), "learning_rates": list(LEARNING_RATES),
            "regularization_rates": list(REGULARIZATION_RATES), "limits": LIMITS}


class Tab:
    """One WebSocket: its Session, and the play loop."""

    def __init__(self, ws, limits: dict | None = None):
        self.ws, self.session, self.task = ws, None, None
        self.limits = limits or LIMITS
        self.playing, self.drawn, self.hidden = False, True, False
        self.lock = threading.Lock()          # the session: one of training, a frame, an export, a change at a time
        self.wake = asyncio.Event()           # a paused play loop waits on this (ready, shown, halted)
        self.sent_at = 0.0                    # when the last frame went out

    async def run(self, fn, *args, pool=None):
        """``fn(*args)`` in a thread (``pool``, else the default one) holding the session's lock."""
        def locked():
            with self.lock:
                return fn(*args)
        return await asyncio.get_running_loop().run_in_executor(pool, locked)

    async def send(self, message: dict) -> None:
        try:
            text = json.dumps(message, allow_nan=False)
        except ValueError:
            text = json.dumps(json_safe(message))
        try:
            await asyncio.wait_for(self.ws.send_text(text), SEND_TIMEOUT_S)
        except Exception as err:       # WebSocketDisconnect, a closed transport, a close already sent, a timeout
            raise Gone() from err

    async def close(self, code: int, reason: str) -> None:
        """Close the socket with ``reason`` (the page shows it); nothing if the client has gone already."""
        try:
            await self.ws.close(code=code, reason=close_reason(reason))
        except Exception:
            pass

    async def send_frame(self) -> None:
        frame = await self.run(self.session.frame)
        frame["playing"] = self.playing
        self.drawn = False
        self.sent_at = asyncio.get_running_loop().time()
        await self.send(frame)

    async def send_all(self) -> None:
        await self.send(self.session.network_message())
        await self.send(self.session.data_message())
        await self.send_frame()

    async def halt(self) -> None:
        self.playing = False
        self.wake.set()
        if self.task is not None:
            await self.task
            self.task = None

    async def play_loop(self) -> None:
        try:
            await self._play()
        except Gone:                  # the tab closed: its socket handler cleans up
            self.playing = False
        except Exception as err:       # a bug: stop playing, say so if the tab is still there
            self.playing = False
            try:
                await self.send({"type": "error", "message": f"training stopped: {type(err).__name__}: {err}"})
            except Gone:
                pass

    def unwatched(self, now: float) -> bool:
        """Nobody draws this tab: its page is hidden, or it acknowledged no frame for IDLE_PAUSE_S."""
        return self.hidden or (not self.drawn and now - self.sent_at > IDLE_PAUSE_S)

    async def _play(self) -> None:
        session, last = self.session, 0.0
        loop = asyncio.get_running_loop()
        while self.playing:
            if self.unwatched(loop.time()):            # train for nobody? wait for a ready, a shown page or a halt
                self.wake.clear()
                await self.wake.wait()
                continue
            reason = await self.run(session.train_for, CHUNK_S, None, False, pool=training_pool())
            if not reason and self.drawn and loop.time() - last >= 1 / MAX_FPS:
                last = loop.time()
                await self.send_frame()
                reason = await self.run(session.check_target)
            if reason:
                self.playing = False
                await self.send_frame()
                await self.send({"type": "stopped", "reason": reason, "message": session.stop_message})
                return

    async def handle(self, msg) -> None:
        s = self.session
        kind = msg.type
        if kind == "ready":
            self.drawn = True
            self.wake.set()
        elif kind == "visibility":
            self.hidden = msg.hidden
            self.wake.set()
        elif kind == "catalog":
            await self.send({**await asyncio.to_thread(catalog), "limits": self.limits})
        elif kind == "play":
            self.start()
        elif kind == "pause":
            await self.halt()
            await self.send_frame()
        elif kind == "step":
            await self.halt()
            reason = await self.run(s.train_for, math.inf, msg.epochs, pool=training_pool())
            await self.send_frame()
            if reason:
                await self.send({"type": "stopped", "reason": reason, "message": s.stop_message})
        elif kind in ("set_lr", "set_reg_rate"):
            field = "learningRate" if kind == "set_lr" else "regularizationRate"
            await self.run(lambda: s.configure(s.settings.model_copy(update={field: msg.value})))
        elif kind == "focus":
            s.focus = msg.node
            if not self.playing:
                await self.send_frame()
        elif kind == "export":
            await self.send(await self.run(self.export, msg.what))
        else:
            await self.rebuild(msg)

    def export(self, what: str) -> dict:
        from nnlab.playground import export
        s, notes = self.session, []
        if what == "config":
            text, notes = export.export_config(s)
        elif what == "weights":
            text = export.export_weights(s)
        elif what == "python":
            text = export.export_python(s)
        else:
            text = json.dumps(s.settings.model_dump(), indent=1)
        return {"type": "export", "what": what, "text": text, "notes": notes}

    async def rebuild(self, msg) -> None:
        """Messages that change the data or the network: training pauses (resumes for regenerate/points)."""
        s, kind = self.session, msg.type
        resume = self.playing and kind in ("regenerate", "add_point", "set_param")
        await self.halt()
        if kind == "config":
            await self.run(s.configure, msg.settings)
        elif kind == "reset":
            await self.run(s.reset)
        elif kind == "regenerate":
            await self.run(s.regenerate)
        elif kind == "add_point":
            await self.run(s.add_point, msg.x, msg.y, msg.label)
        elif kind == "set_param":
            await self.run(s.set_param, msg.layer, msg.unit, msg.source, msg.value)
        elif kind == "upload_csv":
            await self.run(self.upload, msg.text)
        elif kind == "import":
            from nnlab.playground.export import import_settings
            await self.run(lambda: s.configure(import_settings(msg.text, s.settings)))
        if kind == "set_param":
            await self.send_frame()
        else:
            await self.send_all()
        if resume:
            self.start()

    def start(self) -> None:
        if not self.playing:
            self.session.stop_reason = None
            self.playing = True
            self.task = asyncio.create_task(self.play_loop())

    def upload(self, text: str) -> None:
        from nnlab.data import CSVFormatError, load_csv
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "upload.csv"
            path.write_text(text, encoding="utf-8")
            try:
                X, y = load_csv(path)
            except CSVFormatError as err:
                raise InvalidArgument(str(err).replace(f"'{path}'", "the CSV"), "csv") from None
        if X.shape[1] != 2:
            raise InvalidArgument(f"The playground draws 2-D data: the CSV must have columns x1,x2,label; it has "
                                  f"{X.shape[1]} feature columns.", "csv")
        if len(X) > LIMITS["points"]:
            raise InvalidArgument(f"The CSV has {len(X)} rows; the playground takes at most {LIMITS['points']}.",
                                  "csv")
        if len(X) < 2:
            raise InvalidArgument("The CSV needs at least 2 rows.", "csv")
        s = self.session
        old = s.csv
        s.csv = (X, y)
        try:
            s.configure(s.settings.model_copy(update={"dataset": "csv"}))
        except Exception:
            s.csv = old
            raise


