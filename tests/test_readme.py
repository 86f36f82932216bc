"""The README holds to the same rule as the labs: its Python runs, the outputs it shows are what the code prints,
and every ``nnlab.*`` name it mentions exists."""
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")
SNIPPETS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"snippet{i + 1}" for i in range(len(SNIPPETS))])
def test_every_python_snippet_runs_and_prints_what_it_says(code, tmp_path):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    for line in code.splitlines():             # print(...)   # shown output: the output must contain it
        shown = re.match(r"\s*print\(.*\)\s+#\s*(.+)$", line)
        if shown and "..." not in shown[1]:
            assert shown[1].strip() in result.stdout, (line, result.stdout)


def test_the_readme_has_python_snippets():
    assert len(SNIPPETS) >= 2


NAMES = sorted(set(re.findall(r"`(nnlab(?:\.[A-Za-z_]\w*)+)", TEXT)))


@pytest.mark.parametrize("name", NAMES)
def test_every_nnlab_name_it_mentions_exists(name):
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):       # the longest importable module, then attributes
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            assert hasattr(obj, attr), f"{name}: {'.'.join(parts[:cut])} has no {attr}"
            obj = getattr(obj, attr)
        return
    pytest.fail(f"{name} is not importable")
