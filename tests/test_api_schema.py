"""Property-based tests of the API against its own OpenAPI schema (schemathesis), on the demo data.

Every generated request, valid or not, must get an answer its schema documents, never a server error,
and invalid input must be refused with a 4xx. Three bodies are checked further than a schema can say (a
posted policy is validated as a policy file is; a screening CSV needs an id or name column; a what-if
change must name parties and stakes that exist, with a share in 0-100), so a
schema-valid body may still be refused there with a 422 that names the field.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from ownergraph.api.app import create_app
from ownergraph.loaders.run import load
from ownergraph.settings import Settings

CHECKED_BEYOND_SCHEMA = {("POST", "/v1/verdicts"), ("POST", "/v1/screen"), ("POST", "/v1/what-if")}


@pytest.fixture(scope="module")
def api_schema(store, demo_folder, tmp_path_factory):
    load(store, [demo_folder], rejects=tmp_path_factory.mktemp("rejects") / "r.csv", show_progress=False)
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("data")), store=store)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case):
    operation = (case.operation.method.upper(), case.operation.path)
    excluded = [positive_data_acceptance] if operation in CHECKED_BEYOND_SCHEMA else []
    response = case.call_and_validate(excluded_checks=excluded)
    assert response.status_code < 500
    assert "Traceback" not in response.text
