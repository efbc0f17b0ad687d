"""Property-based requests generated from the published OpenAPI document (schemathesis): whatever the
input, the server answers without a 5xx, and every error is a JSON `{"error": ...}`."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.web.conftest import Server, new_account

EXAMPLES = 15  # per operation and content type: the whole run stays well under a minute


def test_no_server_error(server: Server) -> None:
    schema = schemathesis.openapi.from_url(server.base_url + "/openapi.json")
    # an account of its own: the generated calls revoke tokens and try to deactivate users
    headers = new_account(server).auth
    checked: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call(base_url=server.base_url, headers=headers, timeout=60)
            where = f"{case.method} {case.formatted_path}"
            assert response.status_code < 500, (where, response.status_code, response.text[:300])
            if response.status_code >= 400:
                assert "error" in response.json(), (where, response.text[:300])

        call()
        checked.append(operation.label)
    assert len(checked) >= 9, checked
