"""The small filters of the results pages."""

from __future__ import annotations

from mekong.results.templatetags.results_tags import history_note


def test_history_note_keeps_what_a_person_wrote_and_drops_the_event_word() -> None:
    # Reasons as results.services records them: "<event>" or "<event>: <text>".
    assert history_note("submitted") == ""
    assert history_note("rejected: sheet missing for Min Pyin") == "sheet missing for Min Pyin"
    assert history_note("unlocked: typo in the 2024 total") == "typo in the 2024 total"
    # Anything else (an admin's own reason, or none) is shown as it is.
    assert history_note("corrected in the admin") == "corrected in the admin"
    assert history_note(None) == ""
