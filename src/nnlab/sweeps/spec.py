"""A sweep spec: a base config plus a grid and/or random search over config fields, and seeds.

In YAML (JSON with the same keys works too)::

    name: seed-lr                  # the sweep id in the run store (default: the file name without suffix)
    base: seed-circle              # a preset, or {preset: NAME, data: {...}, model: {...}, train: {...}}
    grid:                          # every combination of these values
      train.lr: [0.001, 0.003, 0.01]
      model.activation: [relu, tanh]
    random:                        # and/or this many random draws (seeded, so a re-run draws the same)
      trials: 8
      seed: 0
      params:
        train.lr: {log_uniform: [0.0001, 0.1]}
        train.batch_size: {choice: [16, 64, null]}
    seeds: [0, 1, 2]               # or a count (3 = 0, 1, 2); sets train.seed (initial weights, batch order)

Fields are ``section.field`` paths into ``RunConfig`` (``data.noise``, ``model.hidden_sizes``, ``train.lr``, ...).
Every key, path and value is checked when the spec is read; a bad one raises ``InvalidArgument`` naming it and
what is allowed. The trials are the product grid x random draws x seeds (see ``nnlab.sweeps.search``).
"""
from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnlab._validation import MAX_SEED, InvalidArgument, read_text
from nnlab.config import PRESETS, DataConfig, ModelConfig, RunConfig, TrainConfig, field_message

__all__ = ["SweepSpec", "load_spec", "parse_spec", "FIELDS", "DISTRIBUTIONS", "SPEC_KEYS", "MAX_TRIALS"]

SECTIONS = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}
# Every sweepable field path, e.g. "train.lr".
FIELDS: tuple[str, ...] = tuple(f"{s}.{f.name}" for s, cls in SECTIONS.items() for f in dataclasses.fields(cls))
# Random-search distributions: name -> what its argument is.
DISTRIBUTIONS = {
    "choice": "a list of values, drawn uniformly",
    "uniform": "[low, high]: a float drawn uniformly from [low, high)",
    "log_uniform": "[low, high] with 0 < low < high: exp of a uniform draw from [log low, log high)",
    "int_uniform": "[low, high]: an integer drawn uniformly from low..high inclusive",
}
SPEC_KEYS = {"name": "the sweep id", "description": "free text", "base": "a preset name or a config mapping",
             "grid": "field path -> list of values", "random": "{trials, seed, params}",
             "seeds": "a list of seeds, or a count"}
RANDOM_KEYS = ("trials", "seed", "params")
MAX_TRIALS = 10_000     # a spec expands to at most this many trials (grid points x random draws x seeds)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")


@dataclass(frozen=True)
class SweepSpec:
    """A parsed, checked spec. ``grid`` and ``random_params`` map field paths to values / distributions."""
    name: str
    base: RunConfig
    grid: dict[str, list] = field(default_factory=dict)
    random_trials: int = 0
    random_seed: int = 0
    random_params: dict[str, tuple[str, Any]] = field(default_factory=dict)   # path -> (distribution, argument)
    seeds: tuple[int, ...] | None = None
    description: str = ""


def _fail(message: str) -> InvalidArgument:
    return InvalidArgument(f"In the sweep spec: {message}", "spec")


def _yaml_loader():
    """PyYAML's SafeLoader, reading ``1e-3`` as a float (YAML 1.1 alone reads it as a string)."""
    try:
        import yaml
    except ImportError:
        raise InvalidArgument("Reading a YAML sweep spec needs PyYAML (pip install pyyaml); or write the spec as "
                              "JSON.", "spec") from None

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(
        r"^[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+|\.[0-9_]+"
        r"(?:[eE][-+]?[0-9]+)?|\.inf|\.Inf|\.INF)$|^\.(?:nan|NaN|NAN)$"), list("-+0123456789."))
    return yaml, Loader


def load_spec(path: str | Path) -> SweepSpec:
    """Read and check a ``.yaml``/``.yml`` or ``.json`` spec file; its name defaults to the file's stem."""
    path = Path(path)
    text = read_text(path, "the sweep spec", "spec")
    if path.suffix.lower() in (".yaml", ".yml"):
        yaml, loader = _yaml_loader()
        try:
            values = yaml.load(text, Loader=loader)
        except RecursionError:
            raise InvalidArgument(f"The sweep spec '{path}' is nested too deeply to be a sweep spec.", "spec") from None
        except yaml.YAMLError as err:
            where = getattr(err, "problem_mark", None)
            line = f" at line {where.line + 1}" if where is not None else ""
            raise InvalidArgument(f"The sweep spec '{path}' is not valid YAML{line}: "
                                  f"{getattr(err, 'problem', None) or err}.", "spec") from None
    elif path.suffix.lower() == ".json":
        try:
            values = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidArgument(f"The sweep spec '{path}' is not valid JSON: {err.msg} at line {err.lineno}.",
                                  "spec") from None
        except RecursionError:
            raise InvalidArgument(f"The sweep spec '{path}' is nested too deeply to be a sweep spec.", "spec") from None
    else:
        raise InvalidArgument(f"The sweep spec '{path}' must end in .yaml, .yml or .json. Got "
                              f"{path.suffix or 'no suffix'!r} instead.", "spec")
    return parse_spec(values, default_name=path.stem)


def parse_spec(values: Any, default_name: str = "sweep") -> SweepSpec:
    """Check a spec mapping (as read from YAML/JSON) and return the SweepSpec."""
    if not isinstance(values, dict):
        raise _fail(f"the spec must be a mapping with keys {sorted(SPEC_KEYS)}. Got {type(values).__name__}.")
    unknown = sorted(set(values) - set(SPEC_KEYS))
    if unknown:
        raise _fail(f"unknown key(s) {unknown}; allowed keys are {sorted(SPEC_KEYS)}.")
    name = values.get("name", default_name)
    if not isinstance(name, str) or not _NAME.match(name):
        raise _fail(f"'name' must be 1-100 letters, digits or _.:- (starting with a letter or digit). Got {name!r}.")
    base = _base(values.get("base", "seed-circle"))
    grid = _grid(values.get("grid", {}), base)
    trials, seed, params = _random(values.get("random"), base)
    seeds = _seeds(values.get("seeds"))
    swept = set(grid) | set(params)
    if seeds is not None and "train.seed" in swept:
        raise _fail("give the seeds either under 'seeds' or as the field 'train.seed', not both.")
    both = sorted(set(grid) & set(params))
    if both:
        raise _fail(f"field(s) {both} appear both in 'grid' and in 'random.params'; each field in one place.")
    count = math.prod(len(v) for v in grid.values()) * max(trials, 1) * len(seeds or (0,))
    if count > MAX_TRIALS:
        raise _fail(f"the spec makes {count} trials (grid points x random trials x seeds); at most {MAX_TRIALS} are "
                    "allowed. Split it into several sweeps.")
    description = values.get("description", "")
    return SweepSpec(name=name, base=base, grid=grid, random_trials=trials, random_seed=seed, random_params=params,
                     seeds=seeds, description=str(description))


def _base(value: Any) -> RunConfig:
    """``base``: a preset name, or a mapping with an optional ``preset`` and data/model/train changes."""
    if isinstance(value, str):
        value = {"preset": value}
    if not isinstance(value, dict):
        raise _fail(f"'base' must be a preset name ({sorted(PRESETS)}) or a mapping. Got {value!r}.")
    unknown = sorted(set(value) - {"preset", *SECTIONS})
    if unknown:
        raise _fail(f"unknown key(s) {unknown} in 'base'; allowed keys are ['data', 'model', 'preset', 'train'].")
    preset = value.get("preset", "seed-circle")
    if preset not in PRESETS:
        raise _fail(f"'base.preset' must be one of {sorted(PRESETS)}. Got {preset!r}.")
    changes = {s: value[s] for s in SECTIONS if s in value}
    for section, fields in changes.items():
        if not isinstance(fields, dict):
            raise _fail(f"'base.{section}' must be a mapping of {section} fields. Got {fields!r}.")
        unknown = sorted(set(fields) - {f.name for f in dataclasses.fields(SECTIONS[section])})
        if unknown:
            allowed = sorted(p.split(".", 1)[1] for p in FIELDS if p.startswith(section + "."))
            raise _fail(f"unknown field(s) {unknown} in 'base.{section}'; allowed fields are {allowed}.")
    try:
        return PRESETS[preset].replace(**changes)
    except InvalidArgument as err:
        raise _fail(f"'base': {field_message(err, 'base.')}") from None


def check_path(path: Any, where: str) -> str:
    """A known ``section.field`` path, else InvalidArgument listing them all."""
    if path not in FIELDS:
        raise _fail(f"unknown field {path!r} in '{where}'; allowed fields are {list(FIELDS)}.")
    return path


def with_values(base: RunConfig, values: dict[str, Any]) -> RunConfig:
    """``base`` with each ``section.field`` path in ``values`` set (validated by the config classes)."""
    changes: dict[str, dict] = {}
    for path, value in values.items():
        section, name = path.split(".", 1)
        changes.setdefault(section, {})[name] = value
    return base.replace(**changes)


def _check_value(base: RunConfig, path: str, value: Any, where: str) -> None:
    try:
        with_values(base, {path: value})
    except InvalidArgument as err:
        raise _fail(f"in '{where}': {field_message(err)}") from None


def _grid(value: Any, base: RunConfig) -> dict[str, list]:
    if not isinstance(value, dict):
        raise _fail(f"'grid' must map field paths to lists of values. Got {value!r}.")
    grid = {}
    for path, values in value.items():
        check_path(path, "grid")
        if not isinstance(values, list) or not values:
            raise _fail(f"field {path!r} in 'grid' needs a non-empty list of values. Got {values!r}.")
        if len(values) > MAX_TRIALS:
            raise _fail(f"field {path!r} in 'grid' lists {len(values)} values; a sweep has at most {MAX_TRIALS} "
                        "trials.")
        for v in values:
            _check_value(base, path, v, "grid")
        grid[path] = list(values)
    return grid


def _random(value: Any, base: RunConfig) -> tuple[int, int, dict]:
    if value is None:
        return 0, 0, {}
    if not isinstance(value, dict):
        raise _fail(f"'random' must be a mapping with keys {list(RANDOM_KEYS)}. Got {value!r}.")
    unknown = sorted(set(value) - set(RANDOM_KEYS))
    if unknown:
        raise _fail(f"unknown key(s) {unknown} in 'random'; allowed keys are {list(RANDOM_KEYS)}.")
    trials, seed, params = value.get("trials"), value.get("seed", 0), value.get("params")
    if not isinstance(trials, int) or isinstance(trials, bool) or not 1 <= trials <= MAX_TRIALS:
        raise _fail(f"'random.trials' must be an integer in the range [1, {MAX_TRIALS}]. Got {trials!r}.")
    if not _is_seed(seed):
        raise _fail(f"'random.seed' must be an integer in the range [0, {MAX_SEED}]. Got {seed!r}.")
    if not isinstance(params, dict) or not params:
        raise _fail("'random.params' must map field paths to distributions such as {log_uniform: [0.0001, 0.1]}; "
                    f"distributions are {sorted(DISTRIBUTIONS)}. Got {params!r}.")
    out = {}
    for path, dist in params.items():
        check_path(path, "random.params")
        out[path] = _distribution(path, dist)
        for v in _corners(*out[path]):
            _check_value(base, path, v, "random.params")
    return trials, seed, out


def _distribution(path: str, dist: Any) -> tuple[str, Any]:
    where = f"field {path!r} in 'random.params'"
    if not isinstance(dist, dict) or len(dist) != 1:
        raise _fail(f"{where} needs one distribution, e.g. {{log_uniform: [0.0001, 0.1]}}; distributions are "
                    f"{sorted(DISTRIBUTIONS)}. Got {dist!r}.")
    (kind, arg), = dist.items()
    if kind not in DISTRIBUTIONS:
        raise _fail(f"{where}: the distribution must be one of {sorted(DISTRIBUTIONS)}. Got {kind!r}.")
    if kind == "choice":
        if not isinstance(arg, list) or not arg:
            raise _fail(f"{where}: 'choice' needs a non-empty list of values. Got {arg!r}.")
        return kind, list(arg)
    numbers = isinstance(arg, list) and len(arg) == 2 and all(
        isinstance(a, (int, float)) and not isinstance(a, bool) for a in arg)
    if not numbers or not arg[0] < arg[1] or (kind == "log_uniform" and arg[0] <= 0) or (
            kind == "int_uniform" and not all(isinstance(a, int) for a in arg)):
        raise _fail(f"{where}: {kind!r} takes {DISTRIBUTIONS[kind]}. Got {arg!r}.")
    return kind, list(arg)


def _corners(kind: str, arg: list) -> list:
    """Values that stand for the whole distribution when checking it against the config: its ends, or choices."""
    if kind == "int_uniform":
        return [int(a) for a in arg]
    return list(arg) if kind == "choice" else [float(a) for a in arg]


def _seeds(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_TRIALS:
        return tuple(range(value))
    if isinstance(value, list) and value and all(_is_seed(s) for s in value):
        if len(set(value)) != len(value):
            raise _fail(f"'seeds' lists a seed twice: {value!r}.")
        return tuple(value)
    raise _fail(f"'seeds' must be a count in the range [1, {MAX_TRIALS}] or a list of distinct integers in the "
                f"range [0, {MAX_SEED}]. Got {value!r}.")


def _is_seed(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SEED
