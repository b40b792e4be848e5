"""Text that arrives from the field: Myanmar Zawgyi detection and conversion to Unicode.

Much Burmese text is still typed with the Zawgyi font encoding, which reuses Unicode code
points for different glyphs; stored as is it sorts, searches and renders wrongly. Every
service that stores a name passes it through :func:`normalise_myanmar` first.
"""

from __future__ import annotations

import unicodedata
import warnings
from functools import lru_cache
from typing import Any

# myanmartools' detector is a Markov model; above this probability the text is Zawgyi.
ZAWGYI_THRESHOLD = 0.95


@lru_cache(maxsize=1)
def _detector() -> Any:
    from myanmartools import ZawgyiDetector

    with warnings.catch_warnings():
        # myanmartools 1.2 loads its model through a deprecated importlib.resources call.
        warnings.simplefilter("ignore", DeprecationWarning)
        return ZawgyiDetector()


def _has_myanmar(text: str) -> bool:
    return any("\u1000" <= ch <= "\u109f" for ch in text)


def zawgyi_probability(text: str) -> float:
    """Probability (0–1) that ``text`` is Zawgyi-encoded; 0 for text without Myanmar letters."""
    if not _has_myanmar(text):
        return 0.0
    probability = float(_detector().get_zawgyi_probability(text))
    return max(probability, 0.0)


def is_zawgyi(text: str) -> bool:
    return zawgyi_probability(text) >= ZAWGYI_THRESHOLD


def normalise_myanmar(text: str) -> str:
    """Return ``text`` in Unicode (NFC); Zawgyi input is converted first."""
    if is_zawgyi(text):
        from myanmar import converter

        text = converter.convert(text, "zawgyi", "unicode")
    return unicodedata.normalize("NFC", text.strip())
