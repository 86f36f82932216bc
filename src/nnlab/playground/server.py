"""The playground's web server: the static page and one WebSocket per browser tab.

Each tab gets a Session. While playing, the server trains in chunks of about 5 ms (whole epochs, in a worker
thread) and, between chunks, sends a frame once the page has drawn the previous one (its "ready") and 1/30 s
has passed, so training never waits for drawing and frames never pile up. Every message is validated (``protocol.py``); a bad
one gets ``{"type": "error"}`` back. A tab's session is dropped when its socket closes.
"""

import asyncio
import json
import math
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from nnlab._validation import InvalidArgument
from nnlab.playground.protocol import (CLASSIC_ACTIVATIONS, LEARNING_RATES, LIMITS, REGULARIZATION_RATES,
                                       ProtocolError, Settings, parse_message)

__all__ = ["create_app", "serve"]

STATIC = Path(__file__).parent / "static"
CHUNK_S = 0.005                  # training between two looks at the page's state
MAX_FPS = 30                     # frames sent per second at most; the rest of the time trains


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

    def __init__(self, ws):
        self.ws, self.session, self.task = ws, None, None
        self.playing, self.drawn = False, True

    async def send(self, message: dict) -> None:
        try:
            text = json.dumps(message, allow_nan=False)
        except ValueError:
            text = json.dumps(_finite(message))
        await self.ws.send_text(text)

    async def send_frame(self) -> None:
        frame = await asyncio.to_thread(self.session.frame)
        frame["playing"] = self.playing
        self.drawn = False
        await self.send(frame)

    async def send_all(self) -> None:
        await self.send(self.session.network_message())
        await self.send(self.session.data_message())
        await self.send_frame()

    async def halt(self) -> None:
        self.playing = False
        if self.task is not None:
            await self.task
            self.task = None

    async def play_loop(self) -> None:
        try:
            await self._play()
        except Exception as err:       # a closed socket, or a bug: stop playing, say so if the tab is still there
            self.playing = False
            try:
                await self.send({"type": "error", "message": f"training stopped: {type(err).__name__}: {err}"})
            except Exception:
                pass

    async def _play(self) -> None:
        session, last = self.session, 0.0
        loop = asyncio.get_running_loop()
        while self.playing:
            reason = await asyncio.to_thread(session.train_for, CHUNK_S, None, False)
            if not reason and self.drawn and loop.time() - last >= 1 / MAX_FPS:
                last = loop.time()
                await self.send_frame()
                reason = session.check_target()
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
        elif kind == "catalog":
            await self.send(await asyncio.to_thread(catalog))
        elif kind == "play":
            self.start()
        elif kind == "pause":
            await self.halt()
            await self.send_frame()
        elif kind == "step":
            await self.halt()
            reason = await asyncio.to_thread(s.train_for, math.inf, msg.epochs)
            await self.send_frame()
            if reason:
                await self.send({"type": "stopped", "reason": reason, "message": s.stop_message})
        elif kind in ("set_lr", "set_reg_rate"):
            field = "learningRate" if kind == "set_lr" else "regularizationRate"
            await asyncio.to_thread(s.configure, s.settings.model_copy(update={field: msg.value}))
        elif kind == "focus":
            s.focus = msg.node
            if not self.playing:
                await self.send_frame()
        elif kind == "export":
            await self.send(await asyncio.to_thread(self.export, msg.what))
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
            await asyncio.to_thread(s.configure, msg.settings)
        elif kind == "reset":
            await asyncio.to_thread(s.reset)
        elif kind == "regenerate":
            await asyncio.to_thread(s.regenerate)
        elif kind == "add_point":
            await asyncio.to_thread(s.add_point, msg.x, msg.y, msg.label)
        elif kind == "set_param":
            s.set_param(msg.layer, msg.unit, msg.source, msg.value)
        elif kind == "upload_csv":
            await asyncio.to_thread(self.upload, msg.text)
        elif kind == "import":
            from nnlab.playground.export import import_settings
            await asyncio.to_thread(s.configure, import_settings(msg.text, s.settings))
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


def create_app(max_sessions: int = LIMITS["sessions"]):
    """The FastAPI app: ``/`` serves the page, ``/static`` its modules, ``/ws`` one socket per tab."""
    from fastapi import FastAPI, WebSocket, WebSocketDisconnect
    from fastapi.responses import FileResponse
    from fastapi.staticfiles import StaticFiles

    from nnlab.playground.session import Session

    app = FastAPI(title="nnlab playground", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sessions = 0
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/")
    def index():
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    @app.websocket("/ws")
    async def socket(ws: WebSocket):
        # Only the page this server served may connect: another site open in the same browser may not.
        origin = ws.headers.get("origin")
        if origin and urlparse(origin).netloc != ws.headers.get("host"):
            await ws.close(code=1008)
            return
        await ws.accept()
        if app.state.sessions >= max_sessions:
            await ws.send_text(json.dumps({"type": "error", "message": f"The server already has {max_sessions} "
                                           "open tabs, its limit; close one and reload."}))
            await ws.close(code=1013)
            return
        app.state.sessions += 1
        tab = _Tab(ws)
        try:
            tab.session = await asyncio.to_thread(Session, Settings())
            await tab.send({"type": "hello", "limits": LIMITS})
            while True:
                text = await ws.receive_text()
                try:
                    await tab.handle(parse_message(text))
                except (ProtocolError, InvalidArgument) as err:
                    await tab.send({"type": "error", "message": str(err)})
                except (WebSocketDisconnect, RuntimeError) as err:
                    if isinstance(err, WebSocketDisconnect) or "websocket" in str(err).lower():
                        raise WebSocketDisconnect() from None
                    await tab.send({"type": "error", "message": f"internal error: {err}"})
                except Exception as err:      # a bug must not take the tab down: report it and carry on
                    await tab.send({"type": "error", "message": f"internal error: {type(err).__name__}: {err}"})
        except WebSocketDisconnect:
            pass
        finally:
            await tab.halt()
            tab.session = None                  # the model and data go with it
            app.state.sessions -= 1

    return app


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False, on_ready=None) -> None:
    """Run the server until Ctrl-C. ``on_ready(url)`` is called once it listens."""
    import uvicorn
    app = create_app()
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", ws_max_size=LIMITS["message_bytes"])
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
