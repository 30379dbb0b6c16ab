#!/usr/bin/env python3
"""Write the sample events under events/, one folder per function.

The envelopes come from `sam local generate-event` (pip package aws-sam-cli), so they have the
shapes AWS sends. This script only fills in the lockbox's paths, bodies and JWT claims.
Run it again after changing a route or a claim: python3 scripts/generate-events.py
"""

import base64
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUEST_ID = "6f1c1a52-8d0e-4d5b-9a43-2f4c3b1e7d10"


def sam(*args: str) -> dict:
    # scripts/sam.sh keeps the SAM CLI from calling out: no telemetry, no version check.
    command = ["bash", str(ROOT / "scripts" / "sam.sh"), "local", "generate-event", *args]
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(output.stdout)


def claims(email: str, roles: str) -> dict:
    return {"email": email, "amr": "[pwd mfa]", "lockbox_roles": roles, "sub": "user-" + email.split("@")[0]}


def http_api(method: str, path: str, route: str, body=None, query: str = "", caller=None, stage: str = "$default", form=False) -> dict:
    """Builds an HTTP API (payload 2.0) event for `route`, such as `POST /requests`."""
    event = sam("apigateway", "http-api-proxy", "--method", method, "--path", path.lstrip("/"), "--stage", stage)
    event["routeKey"] = route
    event["requestContext"]["routeKey"] = route
    event["rawPath"] = path if stage == "$default" else f"/{stage}{path}"
    event["requestContext"]["http"]["path"] = event["rawPath"]
    event["rawQueryString"] = query
    event["queryStringParameters"] = dict(part.split("=", 1) for part in query.split("&")) if query else None
    event.pop("cookies", None)
    event.pop("stageVariables", None)
    content_type = "application/x-www-form-urlencoded" if form else "application/json"
    event["headers"] = {"content-type": content_type, "host": event["requestContext"]["domainName"]}
    event["requestContext"].pop("authentication", None)
    if caller is None:
        event["requestContext"].pop("authorizer", None)
    else:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": caller, "scopes": None}}
    if body is None:
        event.pop("body", None)
        event["isBase64Encoded"] = False
    else:
        text = body if isinstance(body, str) else json.dumps(body)
        event["body"] = base64.b64encode(text.encode()).decode()
        event["isBase64Encoded"] = True
    parameters = {}
    if "{subscription_id}" in route:
        parameters["subscription_id"] = path.split("/")[2]
    if "{request_id}" in route:
        parameters["request_id"] = REQUEST_ID
    event["pathParameters"] = parameters or None
    return event


def rest_api(method: str, path: str, resource: str, body, caller, stage: str) -> dict:
    """Builds a REST API (payload 1.0) event with a Cognito-style `claims` authorizer context."""
    event = sam("apigateway", "aws-proxy", "--method", method, "--path", path.lstrip("/"), "--stage", stage)
    event["resource"] = resource
    event["path"] = path
    event["requestContext"]["resourcePath"] = resource
    event["requestContext"]["path"] = f"/{stage}{path}"
    event["requestContext"]["authorizer"] = {"claims": caller}
    event["headers"] = {"Content-Type": "application/json"}
    event["multiValueHeaders"] = {"Content-Type": ["application/json"]}
    event["queryStringParameters"] = None
    event["multiValueQueryStringParameters"] = None
    event["pathParameters"] = None
    event["stageVariables"] = None
    event["body"] = json.dumps(body)
    event["isBase64Encoded"] = False
    return event


def bus_event(status: str, version: int) -> dict:
    event = sam("cloudwatch", "scheduled-event")
    event.update(
        {
            "source": "lockbox",
            "detail-type": "Lockbox Request Status Changed",
            "resources": [],
            "time": "2026-12-04T10:00:00Z",
            "detail": {"request_id": REQUEST_ID, "status": status, "version": version, "at": "2026-12-04T10:00:00Z"},
        }
    )
    return event


def write(folder: str, name: str, event: dict) -> None:
    path = ROOT / "events" / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(event, indent=2) + "\n")


def main() -> None:
    admin = claims("admin@provider.example", "provider_admin")
    engineer = claims("engineer@provider.example", "support_engineer")
    auditor = claims("auditor@provider.example", "auditor")
    manager = claims("manager@provider.example", "devops_manager")
    subscription = {
        "tenant_id": "contoso",
        "support_plan": "premier",
        "owners": [{"email": "alice@contoso.example", "locale": "en"}, {"email": "bob@contoso.example", "locale": "fr"}],
    }
    request = {
        "subscription_id": "sub-1",
        "resource_id": "vm-web-01",
        "resource_kind": "virtual_machine",
        "scope": "resource",
        "permission_level": "read",
        "support_ticket_id": "T-1001",
        "justification": "The web VM disk is full and the site is down",
    }

    write("submit", "register-subscription.json", http_api("PUT", "/subscriptions/sub-1", "PUT /subscriptions/{subscription_id}", subscription, caller=admin))
    write("submit", "submit-request.json", http_api("POST", "/requests", "POST /requests", request, caller=engineer))
    write("submit", "submit-request-prod-stage.json", http_api("POST", "/requests", "POST /requests", request, caller=engineer, stage="Prod"))
    write("submit", "submit-request-rest-api.json", rest_api("POST", "/requests", "/requests", request, engineer, "Prod"))
    write("submit", "get-request.json", http_api("GET", f"/requests/{REQUEST_ID}", "GET /requests/{request_id}", caller=engineer))
    write("submit", "cancel-request.json", http_api("POST", f"/requests/{REQUEST_ID}/cancel", "POST /requests/{request_id}/cancel", {"reason": "solved"}, caller=engineer))
    write("decide", "pending-requests.json", http_api("GET", "/lockbox", "GET /lockbox", query="token=not-a-valid-token"))
    write("decide", "view-request.json", http_api("GET", f"/lockbox/requests/{REQUEST_ID}", "GET /lockbox/requests/{request_id}", query="token=not-a-valid-token"))
    write("decide", "decision.json", http_api("POST", f"/lockbox/requests/{REQUEST_ID}/decision", "POST /lockbox/requests/{request_id}/decision", "token=not-a-valid-token&decision=approve", form=True))
    write("decide", "internal-approval.json", http_api("POST", f"/requests/{REQUEST_ID}/internal-approval", "POST /requests/{request_id}/internal-approval", {"decision": "approve"}, caller=manager))
    write("audit-query", "audit-by-request.json", http_api("GET", "/audit", "GET /audit", query=f"request_id={REQUEST_ID}&limit=20", caller=auditor))
    write("evaluate-jit", "request-submitted.json", bus_event("submitted", 1))
    # One event for each status the notify rule in template.yaml routes; a test checks the rule.
    for status, version in [
        ("customer_notified", 2),
        ("approved", 3),
        ("denied", 3),
        ("expired", 3),
        ("rejected", 2),
        ("access_ended", 4),
        ("revoked", 4),
    ]:
        write("notify", f"request-{status.replace('_', '-')}.json", bus_event(status, version))
    write("expire", "schedule.json", sam("cloudwatch", "scheduled-event"))


if __name__ == "__main__":
    main()
