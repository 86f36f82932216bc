"""The ``ray`` executor: each trial one Ray task on an existing Ray cluster; results land in the local store.

The driver (this process) prepares each trial's data, records the trial as a running run, and sends the
sized config with the arrays to a task (``num_cpus=1``), so the cluster's nodes need nnlab but not the data
files. Each finished task returns its History; the driver writes its per-epoch metrics and final metrics into
the store. A task that raises is recorded as failed with its error. Ray is optional: ``pip install ray``.

Before ``ray.init``, the address is checked in plain sockets (each step bounded by ``CONNECT_TIMEOUT_S``): that
something listens there, and that it speaks HTTP/2, as Ray's GCS (a gRPC server) does. So an unreachable
address, or a port of some other program, fails within seconds with one clear line instead of Ray's own
retries, which go on for minutes.
"""
from __future__ import annotations

import logging
import os
import socket

from nnlab._validation import InvalidArgument
from nnlab.sweeps.events import TrialEvent
from nnlab.sweeps.recording import error_text, outcome_event, record_failure, run_name, run_tags, sized, versions

__all__ = ["RayExecutor", "connect", "train_remote", "CONNECT_TIMEOUT_S"]

CONNECT_TIMEOUT_S = 3.0


def _import_ray():
    try:
        import ray
    except ImportError:
        raise InvalidArgument("The 'ray' executor needs Ray, which is not installed: pip install "
                              "'ray>=2.9' (or 'pip install nnlab[ray]').", "executor") from None
    return ray


def _host_port(address: str) -> tuple[str, int]:
    """'host:port' (optionally 'ray://host:port') -> (host, port), else InvalidArgument naming --address."""
    text = address.removeprefix("ray://")
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidArgument(f"A Ray cluster address must look like HOST:PORT (e.g. 127.0.0.1:6379). "
                              f"Got {address!r} instead.", "address")
    return host.strip("[]"), int(port)


def connect(address: str | None):
    """Connect this process to the Ray cluster at ``address`` (or $RAY_ADDRESS); return the ``ray`` module."""
    address = address or os.environ.get("RAY_ADDRESS")
    if not address:
        raise InvalidArgument("The 'ray' executor needs the address of a running Ray cluster, e.g. "
                              "127.0.0.1:6379 (start one with 'ray start --head').", "address")
    host, port = _host_port(address)
    ray = _import_ray()
    try:
        conn = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S)
    except OSError as err:
        reason = "timed out" if isinstance(err, socket.timeout) else (err.strerror or str(err))
        raise InvalidArgument(f"Cannot reach a Ray cluster at {address} ({reason}; waited at most "
                              f"{CONNECT_TIMEOUT_S:g} s). Start one with 'ray start --head' or check the address.",
                              "address") from None
    if not _speaks_http2(conn):
        raise InvalidArgument(f"Something answers at {address}, but it is not a Ray cluster (no gRPC "
                              "server there). Give the head's GCS address, the --port of 'ray start --head' "
                              "(6379 by default).", "address")
    if ray.is_initialized():
        ray.shutdown()
    try:
        ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR, include_dashboard=False)
    except Exception as err:
        raise InvalidArgument(f"{address} answers, but connecting to it as a Ray cluster failed: "
                              f"{error_text(err)}", "address") from None
    return ray


def _speaks_http2(conn: socket.socket) -> bool:
    """Send HTTP/2's client preface and an empty SETTINGS frame; a gRPC server answers with a SETTINGS frame
    (9-byte header, type 0x4). Closes ``conn``."""
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
    try:
        with conn:
            conn.sendall(preface)
            header = b""
            while len(header) < 9:
                chunk = conn.recv(9 - len(header))
                if not chunk:
                    break
                header += chunk
    except OSError:
        return False
    return len(header) == 9 and header[3] == 0x04


def train_remote(config_dict: dict, data) -> dict:
    """Runs on a Ray worker: train one sized config on its PreparedData; return the History as a dict."""
    import torch

    from nnlab.config import RunConfig
    from nnlab.training.run import train
    torch.set_num_threads(1)
    return train(RunConfig.from_dict(config_dict), data=data).history.to_dict()


class RayExecutor:
    name = "ray"

    def __init__(self):
        self._ray = None

    def connect(self, address: str | None) -> None:
        """Reach the cluster now, before the store is opened or any trial prepared."""
        self._ray = connect(address)

    def run(self, trials, ctx) -> None:
        from nnlab.runs import final_of, history_series
        from nnlab.training.loop import History
        ray = self._ray or connect(ctx.address)
        task = ray.remote(num_cpus=1, max_retries=0)(train_remote)
        store, pending = ctx.store, {}
        try:
            # 1) submit: data prepared here, every trial recorded as running before it is sent
            for trial in trials:
                try:
                    cfg, data = sized(trial)
                except Exception as err:
                    ctx.observer.on_trial(record_failure(store, ctx.sweep_id, trial, error_text(err), self.name))
                    continue
                run_id = store.start_run(cfg.to_dict(), name=run_name(ctx.sweep_id, trial), sweep_id=ctx.sweep_id,
                                         tags=run_tags(ctx.sweep_id, trial), versions=versions(self.name))
                pending[task.remote(cfg.to_dict(), data)] = (trial, run_id)
                ctx.observer.on_trial(TrialEvent(trial.index, "queued", run_id=run_id))
            # 2) collect results as they come, in any order
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1, timeout=0.5)
                for ref in done:
                    trial, run_id = pending.pop(ref)
                    try:
                        history = History(**ray.get(ref))
                    except Exception as err:
                        error = error_text(getattr(err, "cause", None) or err)
                        store.finish_run(run_id, "failed", error=error)
                        ctx.observer.on_trial(TrialEvent(trial.index, "failed", run_id=run_id, error=error))
                        continue
                    store.log_series(run_id, history_series(history))
                    store.finish_run(run_id, "interrupted" if history.interrupted else "finished",
                                     final=final_of(history))
                    ctx.observer.on_trial(outcome_event(trial.index, run_id, history))
        except KeyboardInterrupt:
            for ref, (trial, run_id) in pending.items():
                ray.cancel(ref, force=True)
                store.finish_run(run_id, "interrupted", error="interrupted (Ctrl-C) before its result came back")
                ctx.observer.on_trial(TrialEvent(trial.index, "interrupted", run_id=run_id))
            raise
        finally:
            ray.shutdown()
            self._ray = None
