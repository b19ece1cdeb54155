"""The runnable examples in the credential models' docstrings stay true."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from credentials import models
from credentials.models import builders, clr, common, credential, ob, presentation


@pytest.mark.parametrize(
    "module",
    [models, builders, clr, common, credential, ob, presentation],
    ids=lambda module: module.__name__,
)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
