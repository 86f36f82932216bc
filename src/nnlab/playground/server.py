"""The playground's web server: the static page and one WebSocket per browser tab.

Each tab gets a Session. While playing, the server trains in chunks of about 5 ms (whole epochs) and, between
chunks, sends a frame once the page has drawn the previous one (its "ready") and 1/30 s has passed, so training
never waits for drawing and frames never pile up. Every message is validated (``protocol.py``); a bad one (binary,
not JSON, not an object, not a known message) gets ``{"type": "error"}`` back and the tab carries on. A tab's
session is dropped when its socket closes; a client that goes away mid-message leaves nothing in the log.

A room on one machine: the compiled kernels release Python's lock, so tabs train in parallel on a pool of one
thread per core, at a lower scheduling priority than the threads that draw frames and answer messages (a setting
change is shown at once even when every core trains). Each tab's session has a lock: training, frames, exports
and changes take turns, whole epochs at a time. A tab that is not drawing does not train: a page that reports
itself hidden (Page Visibility) pauses at once, and one that has not acknowledged a frame for ``IDLE_PAUSE_S``
seconds pauses until it does. A client that answers no ping for ``PING_INTERVAL_S + PING_TIMEOUT_S`` seconds, or
does not take a message within ``SEND_TIMEOUT_S``, is dropped and its seat freed.

At most ``max_sessions`` tabs (``nnlab playground --max-tabs``): one more is told why and closed with that reason.
Bound to a loopback address, the server answers only requests whose ``Host`` names loopback (``127.0.0.1``,
``localhost``, ``[::1]``, any port), as Jupyter does, so a web page cannot reach it by DNS rebinding; a socket is
also refused when its ``Origin`` is not the page's own.
"""

import asyncio
import functools
import ipaddress
import json
import math
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from nnlab._validation import InvalidArgument
from nnlab.playground.protocol import (
    CLASSIC_ACTIVATIONS,
    LEARNING_RATES,
    LIMITS,
    REGULARIZATION_RATES,
    ProtocolError,
    Settings,
    parse_message,
)

__all__ = ["create_app", "serve", "is_loopback", "exposure_warning", "IDLE_PAUSE_S", "PING_INTERVAL_S",
           "PING_TIMEOUT_S", "SEND_TIMEOUT_S"]

STATIC = Path(__file__).parent / "static"
CHUNK_S = 0.005                  # training between two looks at the page's state
MAX_FPS = 30                     # frames sent per second at most; the rest of the time trains
IDLE_PAUSE_S = 3.0               # a tab that acknowledged no frame for this long stops training until it does
PING_INTERVAL_S = 2.0            # the server pings every client this often ...
PING_TIMEOUT_S = 3.0             # ... and drops one that has not answered within this
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


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address to bind, or a Host header's name) is this machine only: ``localhost``, 127.x.x.x
    or ``::1`` (brackets allowed)."""
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, port: int) -> str | None:
    """The one-line warning ``nnlab playground`` prints when ``host`` is not a loopback address; else None."""
    if is_loopback(host):
        return None
    return (f"Warning: listening on {host}, which is not a loopback address: anyone who can reach this machine on "
            f"port {port} can use the lab and its CPU (there is no login); the default, 127.0.0.1, serves this "
            "machine only.")


def _host_is_loopback(header: str) -> bool:
    """A Host header naming loopback, with or without a port: ``127.0.0.1:8000``, ``localhost``, ``[::1]:8000``."""
    try:
        parts = urlsplit("//" + header)
        parts.port                                  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    if not parts.hostname or parts.username is not None or parts.password is not None or parts.path:
        return False
    return is_loopback(parts.hostname)


def _close_reason(text: str) -> str:
    """A WebSocket close reason: at most 123 bytes of UTF-8."""
    data = text.encode("utf-8")
    return text if len(data) <= 123 else data[:120].decode("utf-8", "ignore") + "..."


async def _refuse(scope, receive, send, reason: str) -> None:
    """Answer an HTTP request with 403 and ``reason``; refuse a WebSocket handshake the same way (a plain close
    where the server cannot send an HTTP answer to a handshake)."""
    from starlette.responses import PlainTextResponse
    from starlette.websockets import WebSocket
    response = PlainTextResponse(reason + "\n", status_code=403, headers={"X-Content-Type-Options": "nosniff"})
    if scope["type"] == "http":
        await response(scope, receive, send)
        return
    ws = WebSocket(scope, receive, send)
    try:
        if "websocket.http.response" in scope.get("extensions") or {}:
            await ws.send_denial_response(response)
        else:
            await ws.close(code=1008, reason=_close_reason(reason))
    except (OSError, RuntimeError):
        pass                                        # the client has gone already


class _LoopbackHostsOnly:
    """ASGI middleware: requests whose Host header does not name loopback get 403 with the reason (DNS rebinding)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            host = ""
            for key, value in scope.get("headers", ()):
                if key == b"host":
                    host = value.decode("latin-1")
                    break
            if not _host_is_loopback(host):
                shown = repr(host[:80]) if host else "none"
                reason = (f"Refused: this nnlab playground listens on a loopback address and answers only requests "
                          f"for 127.0.0.1, localhost or [::1]; this one named host {shown}.")
                await _refuse(scope, receive, send, reason)
                return
        await self.app(scope, receive, send)


class _Gone(Exception):
    """The tab's socket is closed: nothing more can be sent to it."""


def _finite(value):
    """NaN and infinities -> None, so the page's JSON.parse accepts the message."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def catalog() -> dict:
    """What the menus offer (from the registries) and each data set's thumbnail points."""
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


class _Tab:
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
            text = json.dumps(_finite(message))
        try:
            await asyncio.wait_for(self.ws.send_text(text), SEND_TIMEOUT_S)
        except Exception as err:       # WebSocketDisconnect, a closed transport, a close already sent, a timeout
            raise _Gone() from err

    async def close(self, code: int, reason: str) -> None:
        """Close the socket with ``reason`` (the page shows it); nothing if the client has gone already."""
        try:
            await self.ws.close(code=code, reason=_close_reason(reason))
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
        except _Gone:                  # the tab closed: its socket handler cleans up
            self.playing = False
        except Exception as err:       # a bug: stop playing, say so if the tab is still there
            self.playing = False
            try:
                await self.send({"type": "error", "message": f"training stopped: {type(err).__name__}: {err}"})
            except _Gone:
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


def create_app(max_sessions: int = LIMITS["sessions"], loopback_only: bool = True):
    """The FastAPI app: ``/`` serves the page, ``/static`` its modules, ``/ws`` one socket per tab.

    ``max_sessions`` tabs at most. ``loopback_only``: answer only requests whose Host header names loopback (for a
    server bound to a loopback address; ``serve`` decides)."""
    from fastapi import FastAPI, WebSocket
    from fastapi.responses import FileResponse
    from fastapi.staticfiles import StaticFiles

    from nnlab.playground.session import Session

    if isinstance(max_sessions, bool) or not isinstance(max_sessions, int) or max_sessions < 1:
        raise InvalidArgument(f"The 'max_sessions' parameter must be an integer of at least 1. Got {max_sessions!r} "
                              "instead.", "max_sessions")
    limits = {**LIMITS, "sessions": max_sessions}
    app = FastAPI(title="nnlab playground", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sessions = 0
    app.state.max_sessions = max_sessions
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if loopback_only:
        app.add_middleware(_LoopbackHostsOnly)

    @app.get("/")
    def index():
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    @app.websocket("/ws")
    async def socket(ws: WebSocket):
        # Only the page this server served may connect: another site open in the same browser may not.
        origin, host = ws.headers.get("origin"), ws.headers.get("host")
        if origin and _netloc(origin) != host:
            await _refuse(ws.scope, ws.receive, ws.send,
                          f"Refused: a page from {origin[:80]!r} may not use this playground (only its own page, "
                          f"http://{host}/, may).")
            return
        try:
            await ws.accept()
        except Exception:                       # the client went away during the handshake
            return
        tab = _Tab(ws, limits)
        if app.state.sessions >= max_sessions:
            reason = (f"The server already has {max_sessions} open tab{'s' if max_sessions > 1 else ''}, its limit "
                      "(nnlab playground --max-tabs); close one and reload this page.")
            try:
                await tab.send({"type": "error", "message": reason})
            except _Gone:
                return
            await tab.close(1013, reason)     # 1013: try again later
            return
        app.state.sessions += 1
        try:
            tab.session = await asyncio.to_thread(Session, Settings())
            await tab.send({"type": "hello", "limits": limits})
            while True:
                event = await ws.receive()
                if event["type"] == "websocket.disconnect":
                    break
                text = event.get("text")
                if text is None:
                    await tab.send({"type": "error", "message": "bad message: a binary frame; send each message as "
                                    'a JSON text frame, such as {"type": "play"}'})
                    continue
                try:
                    await tab.handle(parse_message(text))
                except _Gone:
                    raise
                except (ProtocolError, InvalidArgument) as err:
                    await tab.send({"type": "error", "message": str(err)})
                except Exception as err:      # a bug must not take the tab down: report it and carry on
                    await tab.send({"type": "error", "message": f"internal error: {type(err).__name__}: {err}"})
        except _Gone:
            pass
        finally:
            await tab.halt()
            tab.session = None                  # the model and data go with it
            app.state.sessions -= 1

    return app


def _netloc(origin: str) -> str | None:
    try:
        return urlsplit(origin).netloc
    except ValueError:
        return None


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False, on_ready=None,
          max_tabs: int = LIMITS["sessions"]) -> None:
    """Run the server until Ctrl-C. ``on_ready(url)`` is called once it listens. At most ``max_tabs`` tabs; bound to
    a loopback address, only requests for a loopback host are answered."""
    import uvicorn
    app = create_app(max_sessions=max_tabs, loopback_only=is_loopback(host))
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", ws_max_size=LIMITS["message_bytes"],
                            ws_ping_interval=PING_INTERVAL_S, ws_ping_timeout=PING_TIMEOUT_S)
    server = uvicorn.Server(config)

    async def announce():
        while not server.started:
            await asyncio.sleep(0.05)
        if on_ready:
            on_ready(url)
        if open_browser:
            import webbrowser
            webbrowser.open(url)

    async def main():
        await asyncio.gather(server.serve(), announce())

    asyncio.run(main())
