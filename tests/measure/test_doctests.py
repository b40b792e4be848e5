"""Run the Examples sections of the library's docstrings."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "mekong.measure.poverty",
    "mekong.measure.inequality",
    "mekong.measure.mpi",
    "mekong.measure.api",
    "mekong.measure.lines",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
