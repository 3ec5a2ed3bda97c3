"""Shared test fixtures. Module-specific fixtures live beside their tests."""

import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models.signals import pre_save

from kit.versioning import Versioned, saving_with_history
from tests.cast import make_cast


@pytest.fixture(autouse=True)
def _two_step_sign_in_not_required(settings):
    """Two-step sign-in is not required here: most tests sign people in with force_login.

    Tests of the rule (tests/test_mfa.py, tests/test_sso.py) turn it on.
    """
    settings.PORTAL_MFA_REQUIRED_ROLES = []


@pytest.fixture
def cast(db):
    """Officer, board member and area administrator of Testshire; an outsider from Otherton."""
    return make_cast()


# The one audited write path, watched at run time: portal code that saves a
# versioned record without kit.versioning.save_with_history fails the test
# that made it do so. Saves written in the tests themselves (fixtures that
# set a scene) are allowed.
_ROOT = Path(settings.BASE_DIR).resolve()
_OUTSIDE = (_ROOT / ".venv", _ROOT / "tests")


def _guard_versioned_saves(sender, instance, raw=False, **kwargs):
    if raw or not issubclass(sender, Versioned) or saving_with_history.get():
        return
    frame = sys._getframe(1)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        own_method = frame.f_locals.get("self") is instance  # e.g. the model's own save()
        if not own_method and path.is_relative_to(_ROOT) and not path.is_relative_to(_OUTSIDE[0]):
            if path.is_relative_to(_OUTSIDE[1]):
                return  # a test setting the scene
            raise AssertionError(
                f"{path.relative_to(_ROOT)}:{frame.f_lineno} saved a {sender.__name__} "
                "without kit.versioning.save_with_history"
            )
        frame = frame.f_back


@pytest.fixture(autouse=True, scope="session")
def _one_write_path():
    pre_save.connect(_guard_versioned_saves, dispatch_uid="tests-one-write-path")
    yield
    pre_save.disconnect(dispatch_uid="tests-one-write-path")
