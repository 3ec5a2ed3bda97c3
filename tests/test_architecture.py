"""The layers drawn in docs/architecture.md hold in the code.

The contract lives in pyproject.toml ([tool.importlinter]); import-linter
checks every import, including those inside functions. These tests run it as
part of the suite and check the document names the same layers in the same
order, so neither can drift from the other.
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def contract_layers():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    return contract["layers"]


def test_no_app_imports_a_layer_above_it():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # noqa: S603 - our own virtualenv's tool, fixed arguments
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_architecture_document_draws_the_same_layers():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = re.search(r"```text\n(.*?)```", text, re.S).group(1)
    rows = [re.findall(r"\b(\w+)/", line) for line in drawn.splitlines() if "/" in line]
    assert rows == [layer.replace(" ", "").split("|") for layer in contract_layers()]


def test_every_portal_package_is_in_a_layer():
    layered = {name for layer in contract_layers() for name in layer.replace(" ", "").split("|")}
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "bench", "scripts"}
    }
    assert packages == layered
