"""Build the compact test fixtures in `tests/fixtures/okta/` from Okta's reference data.

    python scripts/make_fixtures.py [--shared PATH]      (or: make fixtures)

The reference data (Okta's OpenAPI spec, its error catalogue and real recorded exchanges) lives
outside the repository, in `../shared` beside it. The tests read only what this script makes
from it, so a clone without `../shared` still runs them:

- `spec.json`: the operations the toolkit uses, with their parameters, request bodies and
  responses, and every schema, parameter and response they refer to; the few examples the
  contract checker validates. Structure only: descriptions, summaries and other prose are left
  out.
- `error_codes.json`: every error code with its HTTP status and summary template.
- `recordings.json`: the recorded exchanges the tests replay (every Users API exchange, and
  every Okta error body), each naming the cassette it came from.

`tests/test_fixtures_current.py` checks that the committed files are what this script makes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml  # type: ignore[import-untyped]

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPOSITORY.parent / "shared"
FIXTURES = REPOSITORY / "tests" / "fixtures" / "okta"

# The operations the toolkit (and its sandbox) use, by path template and method.
OPERATIONS = {
    "/api/v1/users": ("get", "post"),
    "/api/v1/users/{id}": ("get", "post", "put"),
    "/api/v1/users/{userId}/roles": ("get",),
}
# Okta's own examples that the contract checker validates against the schemas.
EXAMPLES = (
    "ListUsersResponse",
    "ListUsersQResponse",
    "ListUsersSearchResponse",
    "ListUsersFilterResponse",
    "StandardRoleResponseUser",
)
EXAMPLE_RESPONSES = (
    "ErrorApiValidationFailed400",
    "ErrorInvalidToken401",
    "ErrorResourceNotFound404",
    "ErrorTooManyRequests429",
)
SECURITY_SCHEMES = ("apiToken",)
# Keys that hold prose or presentation, not structure.
_PROSE = frozenset({"description", "summary", "title", "externalDocs", "tags", "termsOfService"})
_EXAMPLE_KEYS = frozenset({"example", "examples"})
# Mappings whose keys are names (properties, status codes, media types), not keywords.
_NAME_MAPS = frozenset(
    {"properties", "mapping", "responses", "headers", "content", "patternProperties", "encoding"}
)

# The recorded response headers the tests look at; the rest (cookies, CSP...) are dropped.
RESPONSE_HEADERS = (
    "content-type",
    "date",
    "etag",
    "link",
    "x-rate-limit-limit",
    "x-rate-limit-remaining",
    "x-rate-limit-reset",
)
REQUEST_HEADERS = ("authorization", "if-match")
_USERS_PATH = re.compile(r"/+api/v1/users(?:/|$)")


# The spec


def compact_spec(document: Mapping[str, Any]) -> dict[str, Any]:
    """The operations in OPERATIONS and everything they refer to, without prose."""
    paths: dict[str, Any] = {}
    for path, methods in OPERATIONS.items():
        item = document["paths"][path]
        kept = {method: _structure(item[method], None) for method in methods}
        if "parameters" in item:
            kept["parameters"] = _structure(item["parameters"], None)
        paths[path] = kept
    components: dict[str, dict[str, Any]] = {}
    examples = {
        name: _example(document["components"]["examples"][name])
        for name in EXAMPLES
        if name in document["components"]["examples"]
    }
    pending = list(_references(paths))
    for name in EXAMPLE_RESPONSES:
        pending.append(("responses", name))
    seen: set[tuple[str, str]] = set()
    while pending:
        section, name = pending.pop()
        if (section, name) in seen or section == "examples":
            continue
        seen.add((section, name))
        source = document["components"][section][name]
        keep_examples = section == "responses" and name in EXAMPLE_RESPONSES
        compact = _structure(source, None, keep_examples=keep_examples)
        components.setdefault(section, {})[name] = compact
        pending.extend(_references(compact))
        if keep_examples:
            for ref_section, ref_name in _references(compact):
                if ref_section == "examples":
                    examples[ref_name] = _example(document["components"]["examples"][ref_name])
    components["examples"] = examples
    components["securitySchemes"] = {
        name: _structure(document["components"]["securitySchemes"][name], None)
        for name in SECURITY_SCHEMES
    }
    return {
        "openapi": document["openapi"],
        "info": {"version": document["info"]["version"]},
        "paths": paths,
        "components": {
            section: dict(sorted(items.items())) for section, items in components.items()
        },
    }


def _structure(node: Any, parent: str | None, *, keep_examples: bool = False) -> Any:
    if isinstance(node, list):
        return [_structure(item, None, keep_examples=keep_examples) for item in node]
    if not isinstance(node, dict):
        return node
    names_only = parent in _NAME_MAPS
    kept = {}
    for key, value in node.items():
        if not names_only and (key in _PROSE or key.startswith("x-")):
            continue
        if not names_only and key in _EXAMPLE_KEYS and not keep_examples:
            continue
        kept[key] = _structure(value, key, keep_examples=keep_examples)
    return kept


def _example(example: Mapping[str, Any]) -> dict[str, Any]:
    return {"value": example["value"]}


def _references(node: Any) -> Iterator[tuple[str, str]]:
    if isinstance(node, list):
        for item in node:
            yield from _references(item)
    elif isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            section, name = ref.removeprefix("#/components/").split("/", 1)
            yield section, name.replace("~1", "/").replace("~0", "~")
        for value in node.values():
            yield from _references(value)


def compact_error_codes(catalogue: Mapping[str, Any]) -> dict[str, Any]:
    """Each code's status and summary template (what Okta sends), without the explanations."""
    return {
        "release": catalogue["release"],
        "errors": sorted(
            (
                {
                    "errorCode": entry["errorCode"],
                    "statusCode": entry["statusCode"],
                    "errorSummary": entry["errorSummary"],
                }
                for entry in catalogue["errors"]
            ),
            key=lambda entry: str(entry["errorCode"]),
        ),
    }


# The recordings


def compact_recordings(cassettes: Path) -> dict[str, Any]:
    """Every recorded exchange with the Users API, and every Okta error body, by cassette."""
    kept = []
    for path in sorted(cassettes.rglob("*.yaml")):
        with path.open("rb") as stream:
            recorded = yaml.load(stream, Loader=yaml.CSafeLoader)
        interactions = recorded["interactions"]
        exchanges = [
            _exchange(index, interaction)
            for index, interaction in enumerate(interactions)
            if _wanted(interaction)
        ]
        if exchanges:
            kept.append(
                {
                    "cassette": path.relative_to(cassettes).as_posix(),
                    # VCR.py's older format kept one value per header (the last line sent), so
                    # a page's `self` link is lost when a `next` link follows it.
                    "header_lines": "all" if _lists_header_lines(interactions) else "last",
                    "interactions": len(interactions),
                    "exchanges": exchanges,
                }
            )
    return {
        "source": (
            "okta/okta-sdk-python@f68509793adefde945ab53ff38f83fab578e3966 "
            "tests/integration/cassettes (Apache-2.0)"
        ),
        "cassettes": kept,
    }


def _wanted(interaction: Mapping[str, Any]) -> bool:
    if _USERS_PATH.match(urlsplit(interaction["request"]["uri"]).path):
        return True
    response = interaction["response"]
    return int(response["status"]["code"]) >= 400 and _is_okta_error(_body(response))


def _exchange(index: int, interaction: Mapping[str, Any]) -> dict[str, Any]:
    request, response = interaction["request"], interaction["response"]
    return {
        "index": index,
        "request": {
            "method": request["method"],
            "uri": request["uri"],
            "headers": _headers(request.get("headers") or {}, REQUEST_HEADERS),
            "body": request.get("body"),
        },
        "response": {
            "status": int(response["status"]["code"]),
            "headers": _headers(response.get("headers") or {}, RESPONSE_HEADERS),
            "body": _body(response),
        },
    }


def _headers(headers: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in headers.items():
        if name.lower() in names:
            found.setdefault(name.lower(), []).extend(value if isinstance(value, list) else [value])
    return {name: [str(value) for value in found[name]] for name in names if name in found}


def _lists_header_lines(interactions: list[Mapping[str, Any]]) -> bool:
    # Told by `Date`, which every response has: a few headers were rewritten by hand later.
    return all(
        isinstance(value, list)
        for interaction in interactions
        for name, value in (interaction["response"].get("headers") or {}).items()
        if name.lower() == "date"
    )


def _body(response: Mapping[str, Any]) -> str | None:
    body = response.get("body")
    text = body.get("string") if isinstance(body, dict) else body
    if isinstance(text, bytes):
        return text.decode("utf-8")
    return text if isinstance(text, str) else None


def _is_okta_error(body: str | None) -> bool:
    try:
        parsed = json.loads(body or "")
    except ValueError:
        return False
    return isinstance(parsed, dict) and "errorCode" in parsed


# Files


NOTICE = """\
# Fixtures made from Okta's reference data

Made by `scripts/make_fixtures.py` (`make fixtures`) from `../shared`; do not edit by hand.

- `spec.json`: parts of Okta's Management API OpenAPI spec ({spec_version}), from
  https://github.com/okta/okta-management-openapi-spec (`dist/current/management-minimal.yaml`).
- `error_codes.json`: Okta's API error codes (release {errors_release}), from
  https://github.com/okta/okta-developer-docs (`data/error-codes.json`).
- `recordings.json`: HTTP exchanges with real Okta orgs, recorded by the integration tests of
  Okta's Python SDK, https://github.com/okta/okta-sdk-python at commit
  f68509793adefde945ab53ff38f83fab578e3966 (`tests/integration/cassettes/`). Each cassette
  keeps its name; secrets were replaced by the recorder.
- `dpop_exchanges.json`: the same recordings' OAuth 2.0 client-credentials flows with DPoP
  (`test_dpop_it`), reduced to what the sandbox is compared on.

All four are Okta's work under the Apache License 2.0, a copy of which is in `LICENSE`; only
the parts the tests use are kept, reduced to structure (no prose from the spec).
"""


DPOP_SUITE = "cassettes/test_dpop_it"
# What the DPoP replay compares: the headers that matter in Okta's token and API answers.
DPOP_HEADERS = (
    "content-type",
    "cache-control",
    "pragma",
    "expires",
    "dpop-nonce",
    "link",
    "www-authenticate",
    "x-rate-limit-limit",
    "x-rate-limit-remaining",
    "x-rate-limit-reset",
)


def _dpop_exchange(interaction: Mapping[str, Any]) -> dict[str, Any]:
    """What the sandbox is compared on; the recorder already replaced every secret."""
    request, response = interaction["request"], interaction["response"]
    url = urlsplit(request["uri"])
    request_headers = {name.lower(): value for name, value in request["headers"].items()}
    authorization = request_headers.get("authorization", [None])[0]
    form = request["body"] if isinstance(request["body"], dict) else {}
    response_headers = {name.lower(): value for name, value in response["headers"].items()}
    body = response["body"]["string"]
    parsed = json.loads(body) if body else None
    shape: dict[str, Any] = {"kind": type(parsed).__name__}
    if isinstance(parsed, dict):
        shape["keys"] = sorted(parsed)
        for key in ("error", "error_description", "token_type", "expires_in"):
            if key in parsed:
                shape[key] = parsed[key]
        if "scope" in parsed:
            shape["scope"] = parsed["scope"]
    return {
        "request": {
            "method": request["method"],
            "path": url.path,
            "query": url.query,
            "dpop_proof": "dpop" in request_headers,
            "authorization_scheme": authorization.split(" ")[0] if authorization else None,
            "form": {
                key: form[key]
                for key in ("grant_type", "client_assertion_type", "scope")
                if key in form
            },
        },
        "response": {
            "status": response["status"]["code"],
            "headers": {
                name: (
                    response_headers[name]
                    if isinstance(response_headers[name], str)
                    else response_headers[name][0]
                )
                for name in DPOP_HEADERS
                if name in response_headers
            },
            "body": shape,
        },
    }


def compact_dpop_exchanges(recordings: Path) -> dict[str, Any]:
    """Okta's recorded OAuth 2.0 client-credentials flows with DPoP, as the replay needs them."""
    cassettes = sorted((recordings / DPOP_SUITE).glob("*.yaml"))
    return {
        "source": "okta-recordings (okta/okta-sdk-python integration tests), " + DPOP_SUITE,
        "cassettes": [
            {
                "cassette": f"{DPOP_SUITE}/{path.name}",
                "exchanges": [
                    _dpop_exchange(interaction)
                    for interaction in yaml.safe_load(path.read_text())["interactions"]
                ],
            }
            for path in cassettes
        ],
    }


def build(shared: Path) -> dict[str, bytes]:
    """File name (in tests/fixtures/okta) -> content."""
    with (shared / "okta-openapi" / "management-minimal.yaml").open("rb") as stream:
        document = yaml.load(stream, Loader=yaml.CSafeLoader)
    catalogue = json.loads((shared / "okta-openapi" / "error-codes.json").read_bytes())
    recordings = compact_recordings(shared / "okta-recordings" / "cassettes")
    notice = NOTICE.format(
        spec_version=document["info"]["version"], errors_release=catalogue["release"]
    )
    return {
        "spec.json": _json(compact_spec(document)),
        "error_codes.json": _json(compact_error_codes(catalogue)),
        "recordings.json": _recordings_json(recordings),
        "dpop_exchanges.json": (
            json.dumps(compact_dpop_exchanges(shared / "okta-recordings"), separators=(",", ":"))
            + "\n"
        ).encode(),
        "LICENSE": (shared / "okta-recordings" / "LICENSE").read_bytes(),
        "NOTICE.md": notice.encode(),
    }


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=1, ensure_ascii=False) + "\n").encode()


def _recordings_json(recordings: Mapping[str, Any]) -> bytes:
    """One recorded exchange per line: compact, and a diff still shows which one changed."""

    def line(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    cassettes = []
    for cassette in recordings["cassettes"]:
        head = {key: value for key, value in cassette.items() if key != "exchanges"}
        exchanges = ",\n   ".join(line(exchange) for exchange in cassette["exchanges"])
        cassettes.append(f'  {line(head)[:-1]},\n  "exchanges":[\n   {exchanges}\n  ]}}')
    text = (
        f'{{"source":{line(recordings["source"])},\n "cassettes":[\n'
        + ",\n".join(cassettes)
        + "\n ]}\n"
    )
    assert json.loads(text) == recordings  # the hand-made layout must be the same JSON
    return text.encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args(argv)
    if not (args.shared / "okta-openapi").is_dir():
        parser.error(f"no Okta reference data at {args.shared} (expected okta-openapi/ there)")
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, content in build(args.shared).items():
        _write(FIXTURES / name, content)
    return 0


def _write(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    print(f"wrote {path.relative_to(REPOSITORY)} ({len(content):,} bytes)")


if __name__ == "__main__":
    sys.exit(main())
