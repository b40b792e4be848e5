from __future__ import annotations

from tests.projects.conftest import portfolio  # noqa: F401  (fixture)
from tests.results.conftest import results_world  # noqa: F401  (fixture)
from tests.results.report_fixtures import report_world  # noqa: F401  (fixture)
