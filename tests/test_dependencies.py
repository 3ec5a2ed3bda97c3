"""The lock files pin every package the portal installs, each with its hashes.

`requirements.txt` and `requirements-dev.txt` say what the portal depends on and
why; `make lock` resolves them into `requirements.lock` (what production and the
container image install) and `requirements-dev.lock` (what CI and `make` install),
and pip installs from those with `--require-hashes`. These tests read the files
only (no network): they fail when a pin was changed without re-locking.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path):
    """{package: version} for each `name==version` line of a requirements file."""
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            found[canonical(match.group(1))] = match.group(2)
    return found


def locked(path):
    """{package: (version, number of hashes)} from a hashed lock file."""
    entries, current = {}, None
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonical(match.group(1))
            entries[current] = [match.group(2), 0]
        elif current and line.strip().startswith("--hash=sha256:"):
            entries[current][1] += 1
        elif line and not line.startswith((" ", "#")):
            current = None
    return {name: tuple(value) for name, value in entries.items()}


RUNTIME_LOCK = locked(ROOT / "requirements.lock")
DEV_LOCK = locked(ROOT / "requirements-dev.lock")


@pytest.mark.parametrize(
    "source, lock",
    [
        ("requirements.txt", RUNTIME_LOCK),
        ("requirements.txt", DEV_LOCK),
        ("requirements-dev.txt", DEV_LOCK),
    ],
)
def test_every_pin_is_locked_at_the_same_version(source, lock):
    stale = {
        name: (version, lock.get(name, ("missing",))[0])
        for name, version in pins(ROOT / source).items()
        if lock.get(name, (None,))[0] != version
    }
    assert not stale, f"{source} and its lock disagree (pinned, locked); run `make lock`: {stale}"


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK], ids=["runtime", "development"])
def test_every_locked_package_has_a_hash(lock):
    assert lock, "the lock file lists no packages"
    assert not [name for name, (_, hashes) in lock.items() if hashes == 0]


def test_development_installs_the_versions_production_runs():
    differ = {
        name: (version, DEV_LOCK.get(name, ("missing",))[0])
        for name, (version, _) in RUNTIME_LOCK.items()
        if DEV_LOCK.get(name, (None,))[0] != version
    }
    assert not differ


def test_everything_that_installs_uses_the_hashed_locks():
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements-dev.lock" in makefile
    assert "--require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "requirements.txt" not in dockerfile
    assert "make venv" in (ROOT / ".ci" / "run").read_text()
