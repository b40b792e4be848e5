"""Zawgyi-encoded Burmese is detected and stored as Unicode."""

from __future__ import annotations

import json

from mekong.core.text import is_zawgyi, normalise_myanmar
from mekong.geo.models import Village
from tests.conftest import Personas, World, client_for

# "Myanmar" typed with a Zawgyi keyboard and the same word in Unicode (code points chosen by
# hand from the Zawgyi and Unicode 5.2 charts: Zawgyi puts the medial ra U+103B before the
# consonant, Unicode writes U+103C after it).
ZAWGYI_MYANMAR = "\u103b\u1019\u1014\u1039\u1019\u102c"
UNICODE_MYANMAR = "\u1019\u103c\u1014\u103a\u1019\u102c"
# "village" (ကျေးရွာ): Zawgyi writes the vowel sign E first.
ZAWGYI_VILLAGE = "\u1031\u1000\u103a\u1038\u101b\u103c\u102c"
UNICODE_VILLAGE = "\u1000\u103b\u1031\u1038\u101b\u103d\u102c"


def test_detects_zawgyi_and_not_unicode() -> None:
    assert is_zawgyi(ZAWGYI_MYANMAR)
    assert not is_zawgyi(UNICODE_MYANMAR)
    assert not is_zawgyi("Min Pyin")
    assert not is_zawgyi("云南")


def test_converts_zawgyi_to_unicode() -> None:
    assert normalise_myanmar(ZAWGYI_MYANMAR) == UNICODE_MYANMAR
    assert normalise_myanmar(ZAWGYI_VILLAGE) == UNICODE_VILLAGE
    assert normalise_myanmar(UNICODE_VILLAGE) == UNICODE_VILLAGE


def test_zawgyi_name_through_the_api_is_stored_as_unicode(personas: Personas, world: World) -> None:
    response = client_for(personas.mm_counterpart).patch(
        f"/api/villages/{world.mm_published.id}",
        data=json.dumps({"name_local": ZAWGYI_VILLAGE}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["name_local"] == UNICODE_VILLAGE
    assert Village.objects.get(id=world.mm_published.id).name_local == UNICODE_VILLAGE
