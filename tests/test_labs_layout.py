"""Every lab follows the layout README's 'Where things live' describes, so a newcomer finds each part by name."""
import importlib
import inspect
from pathlib import Path

import pytest

import nnlab.labs

LABS_DIR = Path(nnlab.labs.__file__).parent
PACKAGES = sorted(p.name for p in LABS_DIR.iterdir() if (p / "__init__.py").exists())
ENTRY = {"architectures": "run_costs"}                       # the costs lab lives in labs/architectures/
NO_SETTINGS = {"architectures", "history", "usecase", "precision"}     # nothing to set (README says so)


def test_every_lab_is_a_package_and_every_package_a_lab():
    flat = sorted(p.stem for p in LABS_DIR.glob("*.py") if not p.stem.startswith("_"))
    assert flat == []                                         # no lab as loose modules beside the packages
    assert set(PACKAGES) == {name if name != "costs" else "architectures" for name in nnlab.labs.LABS}


@pytest.mark.parametrize("lab", PACKAGES)
def test_a_lab_package_has_its_entry_point_report_and_settings(lab):
    package = importlib.import_module(f"nnlab.labs.{lab}")
    entry = getattr(package, ENTRY.get(lab, f"run_{lab}"), None)
    assert callable(entry), f"labs/{lab}/__init__.py has no {ENTRY.get(lab, f'run_{lab}')}"
    assert "out" in inspect.signature(entry).parameters
    assert (LABS_DIR / lab / "report.py").exists()
    if lab not in NO_SETTINGS:
        settings = importlib.import_module(f"nnlab.labs.{lab}.settings")
        assert hasattr(settings, "QUICK") and hasattr(settings, "FULL"), f"labs/{lab}/settings.py"
