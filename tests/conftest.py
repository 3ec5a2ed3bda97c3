"""Shared test fixtures. Module-specific fixtures live beside their tests."""

import os
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import connections, router, transaction
from django.db.models.signals import post_migrate, pre_save

from kit.versioning import Versioned, saving_with_history
from tests.cast import make_cast


def pytest_xdist_auto_num_workers(config):
    """`-n auto` (pyproject.toml): two test processes for each CPU.

    Much of the suite waits on a browser, a server or a worker process rather
    than computing, so one process per CPU leaves the CPUs idle half the time.
    PYTEST_XDIST_AUTO_NUM_WORKERS, when set, says how many instead.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return 2 * (os.cpu_count() or 1)


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


# Rows the migrations seed (the deadline rules, and whatever a later data migration
# adds), there for every test whatever order the tests run in, in one process or
# several. A transactional test (transactional_db, live_server) empties every table
# when it ends; Django then sends post_migrate, which brings back content types and
# permissions but not what a migration's RunPython wrote. So the rows in a new test
# database are read once, as the migrations left them, and put back after each such
# flush into every table it left empty.
_seeded = {}  # database alias -> {model: its rows as JSON}


def _read_seeded_rows(alias):
    # Natural keys for content types and permissions: post_migrate makes them anew.
    return {
        model: serializers.serialize(
            "json", model._base_manager.using(alias).order_by("pk"), use_natural_foreign_keys=True
        )
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and router.allow_migrate_model(alias, model)
        and model._base_manager.using(alias).exists()
    }


def _restore_seeded_rows(sender, using, **kwargs):
    if using not in _seeded or sender is not _last_app_with_models():
        return  # the database is being made, or other apps' post_migrate is still to run
    emptied = [m for m in _seeded[using] if not m._base_manager.using(using).exists()]
    if not emptied:
        return
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.constraint_checks_disabled():
            for model in emptied:
                for row in serializers.deserialize("json", _seeded[using][model], using=using):
                    row.save(using=using)  # a raw save: no history row, no write-path check
        connection.check_constraints(table_names=[m._meta.db_table for m in emptied])
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), emptied):
            cursor.execute(statement)


def _last_app_with_models():
    return [config for config in apps.get_app_configs() if config.models_module][-1]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test databases, with the rows their migrations seeded kept through every flush."""
    with django_db_blocker.unblock():
        for alias in connections:
            _seeded[alias] = _read_seeded_rows(alias)
    post_migrate.connect(_restore_seeded_rows, dispatch_uid="tests-seeded-rows")
    yield
    post_migrate.disconnect(dispatch_uid="tests-seeded-rows")
    _seeded.clear()
