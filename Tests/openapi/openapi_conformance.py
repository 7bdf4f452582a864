#!/usr/bin/env python3
"""docs/openapi.yaml against the running `berth serve`: the document checked with openapi-spec-validator,
then every documented operation called (GETs, and POSTs and DELETEs with a valid and an invalid body, in
an order the ledger allows) and each answer validated with openapi-core: a documented status, the
documented content type, and a body of the documented schema (required fields, types, enums, formats).
Tests/BerthCLITests/OpenAPIConformanceTests.swift fills the ledger through the CLI and starts the server.

Environment:
  BERTH_OPENAPI          docs/openapi.yaml
  BERTH_BOARD_URL        the server's base URL, ending in /
  BERTH_IMAGE            the repository on the board; BERTH_DIGEST the digest released as 0.1.0
  BERTH_ADMIN_TOKEN, BERTH_PROMOTER_TOKEN, BERTH_VIEWER_TOKEN   tokens of those roles

Exits 0 when every answer conformed and every documented operation was called (printing
"validated N responses over M operations"), 1 otherwise (each failure with its method, path and the
validator's message), 77 (printing "skipped: ...") when openapi-core or openapi-spec-validator is missing.
"""
import http.client
import json
import os
import sys
import urllib.parse

SKIP = 77
try:
    from openapi_core import Config, OpenAPI
    from openapi_core.datatypes import RequestParameters
    from openapi_spec_validator import validate as validate_spec
    from openapi_spec_validator.readers import read_from_filename
    from werkzeug.datastructures import Headers, ImmutableMultiDict
except ImportError as error:
    print(f"skipped: {error}: pip install openapi-core openapi-spec-validator (into $BERTH_TRUST_VENV)")
    sys.exit(SKIP)

DOCUMENT = os.environ["BERTH_OPENAPI"]
BASE = urllib.parse.urlsplit(os.environ["BERTH_BOARD_URL"])
IMAGE = os.environ["BERTH_IMAGE"]
DIGEST = os.environ["BERTH_DIGEST"]
ADMIN = os.environ["BERTH_ADMIN_TOKEN"]
PROMOTER = os.environ["BERTH_PROMOTER_TOKEN"]
VIEWER = os.environ["BERTH_VIEWER_TOKEN"]
PREFIX = BASE.path.rstrip("/")

failures = []
validated = 0
called = set()


class Request:
    """openapi-core's Request protocol over what was sent; the path as sent (a %2F stays in its segment)."""

    def __init__(self, method, path, query, headers, body, content_type):
        self.host_url = f"{BASE.scheme}://{BASE.netloc}"
        self.path = path
        self.method = method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query), header=Headers(headers), cookie=ImmutableMultiDict())
        self.body = body
        self.content_type = content_type


class Response:
    """openapi-core's Response protocol over what came back."""

    def __init__(self, status, headers, data):
        self.status_code = status
        self.headers = Headers(headers)
        self.content_type = self.headers.get("Content-Type", "").lower()
        self.data = data


def message(error):
    """The validator's own words: the schema errors under openapi-core's wrapper, each with its place."""
    parts = [f"{type(error).__name__}: {str(error)[:300]}"]
    cause = error.__cause__ or error.__context__
    while cause is not None:
        for schema_error in getattr(cause, "schema_errors", []) or []:
            place = "/".join(str(p) for p in schema_error.absolute_path) or "(body)"
            parts.append(f"{place}: {schema_error.message}")
        if not getattr(cause, "schema_errors", None):
            parts.append(f"{type(cause).__name__}: {str(cause)[:300]}")
        cause = cause.__cause__ or cause.__context__
    return "; ".join(parts)


def call(method, template, expect, path=None, query=(), token=None, body=None, stream=False, headers=None):
    """Sends one request, validates the answer against the document, checks it is the status `expect`
    (the scenario's, so a wrong answer that happens to be documented fails too). Returns the decoded body."""
    global validated
    called.add((method.lower(), template))
    path = PREFIX + (path or template)
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    target = path + ("?" + urllib.parse.urlencode(list(query)) if query else "")
    connection = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=20)
    try:
        connection.request(method, target, body=data, headers=sent)
        answer = connection.getresponse()
        # An event stream stays open: its first bytes are enough for the status and content type.
        payload = answer.read1(65536) if stream else answer.read()
        response = Response(answer.status, answer.getheaders(), payload)
    finally:
        connection.close()
    label = f"{method} {target} -> {response.status_code} {response.content_type}"
    request = Request(method, path, list(query), sent, data, sent.get("Content-Type", ""))
    try:
        openapi.validate_response(request, response)
        validated += 1
    except Exception as error:  # every validator error is a failure, reported with its message
        failures.append(f"{label}: {message(error)}\n    body: {payload[:400]!r}")
    if response.status_code != expect:
        failures.append(f"{label}: expected {expect} in this scenario\n    body: {payload[:400]!r}")
    print(label)
    if response.content_type.startswith("application/json"):
        try:
            return json.loads(payload)
        except ValueError:
            return None
    return payload


spec, _ = read_from_filename(DOCUMENT)
try:
    validate_spec(spec)
except Exception as error:
    print(f"FAILED: {DOCUMENT} is not a valid OpenAPI document: {error}")
    sys.exit(1)
# openapi-core reads JSON and text/plain bodies itself; the document and the event stream are text too.
text = {media: (lambda data, charset="utf-8", **_: data.decode(charset)) for media in ("application/yaml", "text/event-stream")}
openapi = OpenAPI.from_dict(spec, config=Config(extra_media_type_deserializers=text))
operations = {(method, template) for template, item in spec["paths"].items() for method in item
              if method in ("get", "post", "put", "patch", "delete")}

name = urllib.parse.quote(IMAGE, safe="")
history_path = f"/api/v1/services/{name}/history"

# Reads, anonymous and with a viewer's token; refusals are documented answers too.
call("GET", "/healthz", 200)
call("GET", "/readyz", 200)
call("GET", "/api/v1/openapi.yaml", 200)
call("GET", "/metrics", 200, token=VIEWER)
call("GET", "/metrics", 401)
board = call("GET", "/api/v1/board", 200, token=VIEWER)
call("GET", "/api/v1/board", 401, token="berth_000000000000_wrong")
call("GET", "/api/v1/services/{name}/history", 200, path=history_path, token=VIEWER)
page = call("GET", "/api/v1/services/{name}/history", 200, path=history_path, query=[("limit", "2")], token=VIEWER)
if not (isinstance(page, dict) and page.get("next")):
    failures.append(f"GET {history_path}?limit=2: no `next` page in {page!r}")
call("GET", "/api/v1/services/{name}/history", 200, path=history_path,
     query=[("kind", "approved,held"), ("environment", "staging")], token=VIEWER)
call("GET", "/api/v1/services/{name}/history", 400, path=history_path, query=[("limit", "0")], token=VIEWER)
# A repository the ledger never saw has an empty history; the ledger's own (berth:…) are no service's.
empty = call("GET", "/api/v1/services/{name}/history", 200, path="/api/v1/services/registry.example%2Fnone/history",
             token=VIEWER)
if not (isinstance(empty, dict) and empty.get("events") == []):
    failures.append(f"GET history of registry.example/none: no events expected, got {empty!r}")
call("GET", "/api/v1/services/{name}/history", 404, path="/api/v1/services/berth%3Atokens/history", token=VIEWER)
call("GET", "/api/v1/diff", 200, query=[("repository", IMAGE), ("from", "dev"), ("to", "0.1.0")], token=VIEWER)
call("GET", "/api/v1/diff", 400, query=[("repository", IMAGE)], token=VIEWER)
call("GET", "/api/v1/diff", 404, query=[("repository", IMAGE), ("from", "prod"), ("to", "dev")], token=VIEWER)
call("GET", "/api/v1/holds", 200, query=[("repository", IMAGE)], token=VIEWER)
call("GET", "/api/v1/holds", 400, token=VIEWER)
call("GET", "/api/v1/events", 200, query=[("after", "0")], token=VIEWER, stream=True)
call("GET", "/api/v1/events", 400, query=[("after", "x")], token=VIEWER)
call("GET", "/api/v1/tokens", 200, token=ADMIN)
call("GET", "/api/v1/tokens", 403, token=VIEWER)
call("GET", "/api/v1/webhooks/deliveries", 200, query=[("limit", "5")], token=ADMIN)
call("GET", "/api/v1/webhooks/deliveries", 403, token=VIEWER)

# Writes: an invalid body, a refused role, then the valid request (and its repetition where it is idempotent).
staging_gate = None
for row in (board or {}).get("services", []):
    for cell in row.get("cells", []):
        if cell.get("environment") == "dev" and cell.get("next"):
            staging_gate = (cell["next"].get("gate") or {}).get("event")
approval = {"repository": IMAGE, "version": "0.1.0", "environment": "staging", "digest": DIGEST,
            "reason": "accepted for the conformance test"}
if staging_gate is not None:
    approval["gate"] = staging_gate
call("POST", "/api/v1/approvals", 400, body=b"{not json", token=PROMOTER)
call("POST", "/api/v1/approvals", 400, body={"repository": IMAGE}, token=PROMOTER)
call("POST", "/api/v1/approvals", 403, body=approval, token=VIEWER)
call("POST", "/api/v1/approvals", 409, body={**approval, "digest": "sha256:" + "0" * 64}, token=PROMOTER)
call("POST", "/api/v1/approvals", 201, body=approval, token=PROMOTER)

promotion = {"repository": IMAGE, "version": "0.1.0", "environment": "staging", "digest": DIGEST,
             "reason": "conformance"}
call("POST", "/api/v1/promotions", 400, body={"version": "0.1.0"}, token=PROMOTER)
call("POST", "/api/v1/promotions", 403, body=promotion, token=VIEWER)
call("POST", "/api/v1/promotions", 409, body={**promotion, "environment": "prod"}, token=PROMOTER)
call("POST", "/api/v1/promotions", 201, body=promotion, token=PROMOTER)
call("POST", "/api/v1/promotions", 200, body=promotion, token=PROMOTER)

rollback = {"repository": IMAGE, "environment": "staging", "from": DIGEST, "reason": "conformance"}
call("POST", "/api/v1/rollbacks", 400, body={"repository": IMAGE}, query=[("plan", "true")], token=VIEWER)
call("POST", "/api/v1/rollbacks", 409, body=rollback, query=[("plan", "true")], token=VIEWER)
call("POST", "/api/v1/rollbacks", 403, body=rollback, token=VIEWER)

# prod is held from the CLI (the API answers 200: held already); then a version hold, made and released.
call("POST", "/api/v1/holds", 200, body={"repository": IMAGE, "environment": "prod", "reason": "again"}, token=PROMOTER)
hold = {"repository": IMAGE, "version": "0.1.0", "reason": "conformance freeze"}
call("POST", "/api/v1/holds", 400, body={"repository": IMAGE, "reason": "both", "environment": "prod",
                                          "version": "0.1.0"}, token=PROMOTER)
call("POST", "/api/v1/holds", 403, body=hold, token=VIEWER)
call("POST", "/api/v1/holds", 201, body=hold, token=PROMOTER)
call("POST", "/api/v1/holds", 200, body=hold, token=PROMOTER)
holds = call("GET", "/api/v1/holds", 200, query=[("repository", IMAGE)], token=VIEWER)
if not (isinstance(holds, dict) and len(holds.get("holds", [])) >= 2):
    failures.append(f"GET /api/v1/holds: the CLI's hold and the API's expected, got {holds!r}")
call("GET", "/api/v1/board", 200, token=VIEWER)
call("POST", "/api/v1/holds/release", 400, body={"reason": "no repository"}, token=PROMOTER)
call("POST", "/api/v1/holds/release", 201, body=hold, token=PROMOTER)
call("POST", "/api/v1/holds/release", 200, body=hold, token=PROMOTER)

bad = {"repository": IMAGE, "version": "0.1.0", "environment": "staging", "digest": DIGEST,
       "reason": "conformance: bad"}
call("POST", "/api/v1/bad-marks", 400, body={"repository": IMAGE}, token=PROMOTER)
call("POST", "/api/v1/bad-marks", 403, body=bad, token=VIEWER)
call("POST", "/api/v1/bad-marks", 409, body={**bad, "digest": "sha256:" + "1" * 64}, token=PROMOTER)
call("POST", "/api/v1/bad-marks", 201, body=bad, token=PROMOTER)
call("POST", "/api/v1/bad-marks", 200, body=bad, token=PROMOTER)
call("GET", "/api/v1/board", 200, token=VIEWER)
call("GET", "/api/v1/services/{name}/history", 200, path=history_path, token=VIEWER)

created = call("POST", "/api/v1/tokens", 201, body={"role": "viewer", "name": "conformance", "expires": "1h"},
               token=ADMIN)
call("POST", "/api/v1/tokens", 400, body={"role": "emperor"}, token=ADMIN)
call("POST", "/api/v1/tokens", 403, body={"role": "viewer"}, token=VIEWER)
token_id = (created or {}).get("id", "0123456789ab")
call("DELETE", "/api/v1/tokens/{id}", 200, path=f"/api/v1/tokens/{token_id}", token=ADMIN)
call("DELETE", "/api/v1/tokens/{id}", 200, path=f"/api/v1/tokens/{token_id}", token=ADMIN)
call("DELETE", "/api/v1/tokens/{id}", 404, path="/api/v1/tokens/0123456789ab", token=ADMIN)
call("DELETE", "/api/v1/tokens/{id}", 403, path=f"/api/v1/tokens/{token_id}", token=VIEWER)
call("GET", "/api/v1/tokens", 200, token=ADMIN)

call("POST", "/api/v1/webhooks/deliveries/{id}/replay", 404, path="/api/v1/webhooks/deliveries/999999/replay",
     token=ADMIN)
call("POST", "/api/v1/webhooks/deliveries/{id}/replay", 403, path="/api/v1/webhooks/deliveries/1/replay",
     token=VIEWER)
call("POST", "/webhooks/{receiver}", 404, path="/webhooks/nobody", body={"events": []})

missing = sorted(operations - called)
if missing:
    failures.append(f"documented operations never called: {missing}")
undocumented = sorted(called - operations)
if undocumented:
    failures.append(f"called operations the document lacks: {undocumented}")
if failures:
    print(f"FAILED: {len(failures)} of {len(called)} operations' answers:")
    for failure in failures:
        print("  " + failure)
    sys.exit(1)
print(f"validated {validated} responses over {len(called)} operations")
