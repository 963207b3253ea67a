"""An independent client tests the API from its own OpenAPI document: schemathesis
generates requests for every operation and checks that none gets a server error and
that every response matches the documented status codes, content types, headers and
schemas. A few examples per operation keep it quick."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as oas

from whopushed.web.routes.api import router

CHECKS = [not_a_server_error, oas.status_code_conformance, oas.content_type_conformance,
          oas.response_schema_conformance, oas.response_headers_conformance]
PATHS = sorted(r.path for r in router.routes)


def test_openapi_document_is_served_without_a_cdn_docs_page(client):
    assert client.get("/openapi.json").json()["openapi"].startswith("3.")
    assert client.get("/docs").status_code == 404  # Swagger UI would load scripts from a CDN


@pytest.mark.parametrize("path", PATHS)
def test_api_answers_generated_requests_without_server_errors_or_schema_breaks(openapi_schema, path):
    found = [r.ok() for r in openapi_schema.get_all_operations() if r.ok().path == path]
    assert found, f"{path} is missing from /openapi.json"

    @given(found[0].as_strategy())
    @settings(max_examples=8, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def call(case):
        case.call_and_validate(checks=CHECKS)

    call()
