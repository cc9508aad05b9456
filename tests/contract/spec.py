"""Okta's Management API spec, as contract tests use it: schemas as validators, operations.

The spec is the compact part of Okta's OpenAPI 3.0.3 document committed in
`tests/fixtures/okta/spec.json` (made by `scripts/make_fixtures.py`): the operations the toolkit
uses and everything they refer to. Its Schema Objects are read as JSON Schema draft 4 (the draft
OpenAPI 3.0 builds on) after two conversions that plain JSON Schema lacks:

- `nullable: true` also allows null;
- a `oneOf` with a `discriminator` picks its branch by the discriminator property (the
  branches are open objects, so as plain JSON Schema more than one would match).

`$ref`s are resolved through a `referencing.Registry` holding the whole (converted) document,
so every `#/components/...` reference resolves. Examples are dropped: some hold `$ref` strings
that are not references.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4

OKTA_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "okta"
SPEC_PATH = OKTA_DATA / "spec.json"
ERROR_CODES_PATH = OKTA_DATA / "error_codes.json"

_SPEC_URI = "urn:okta:management-openapi"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_DROPPED_KEYS = frozenset({"example", "examples", "x-codeSamples"})
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "query", "header", "path" or "cookie"
    required: bool
    schema: Mapping[str, Any]
    pointer: str  # of the parameter's schema in the document
    type: str | None  # the schema's `type`, after following `$ref`s

    def typed(self, value: str) -> Any:
        """A query, path or header value as the JSON type the schema declares, when it reads
        as one; otherwise the string, for the validator to refuse."""
        if self.type == "integer" and re.fullmatch(r"-?\d+", value):
            return int(value)
        if self.type == "number":
            try:
                return float(value)
            except ValueError:
                return value
        if self.type == "boolean" and value in ("true", "false"):
            return value == "true"
        return value


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # the path template, e.g. "/api/v1/users/{id}"
    operation_id: str
    parameters: Mapping[tuple[str, str], Parameter]  # by (location, name); names as declared
    request_body_required: bool
    request_body_media_types: tuple[str, ...]
    request_body_pointer: str | None  # of the application/json request schema
    request_body_schema: Mapping[str, Any] | None  # that schema as written (may be a `$ref`)
    response_pointers: Mapping[str, str | None] = field(default_factory=dict)  # status -> schema

    def parameter(self, location: str, name: str) -> Parameter | None:
        """The declared parameter; header names compare case-insensitively, as in HTTP."""
        if location != "header":
            return self.parameters.get((location, name))
        return next(
            (
                parameter
                for (where, declared), parameter in self.parameters.items()
                if where == "header" and declared.lower() == name.lower()
            ),
            None,
        )

    def in_location(self, location: str) -> list[Parameter]:
        return [p for (where, _), p in self.parameters.items() if where == location]

    def response_pointer(self, status: int) -> str | None:
        """The JSON schema pointer for a response status (exact, then `4XX`, then default)."""
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in self.response_pointers:
                return self.response_pointers[key]
        raise KeyError(f"{self.operation_id} declares no {status} response")

    def declares_status(self, status: int) -> bool:
        try:
            self.response_pointer(status)
        except KeyError:
            return False
        return True


class OktaSpec:
    """The parsed spec: operations by (method, path template) and schema validators."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._converted = _convert(document)
        resource = DRAFT4.create_resource(self._converted)
        self._registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self._format_checker = _format_checker()
        self._operations: dict[tuple[str, str], Operation] = {}

    # Schemas

    def validator_at(self, pointer: str) -> Draft4Validator:
        """A validator for the schema at a JSON pointer in the document ("/components/...")."""
        if _resolve_pointer(self._converted, pointer) is None:
            raise KeyError(f"no schema at {pointer}")
        return Draft4Validator(
            {"$ref": f"{_SPEC_URI}#{pointer}"},
            registry=self._registry,
            format_checker=self._format_checker,
        )

    def schema_validator(self, name: str) -> Draft4Validator:
        """A validator for `components/schemas/<name>`."""
        if name not in self.document["components"]["schemas"]:
            raise KeyError(f"the spec has no schema {name!r}")
        return self.validator_at(f"/components/schemas/{_escape(name)}")

    def array_validator(self, item_pointer: str) -> Draft4Validator:
        """A validator for an array of the schema at `item_pointer`."""
        return Draft4Validator(
            {"type": "array", "items": {"$ref": f"{_SPEC_URI}#{item_pointer}"}},
            registry=self._registry,
            format_checker=self._format_checker,
        )

    # Operations

    def operation(self, method: str, path: str) -> Operation:
        """The operation at a path template, e.g. ("POST", "/api/v1/users/{id}")."""
        path_item = self.document["paths"].get(path)
        if path_item is None or method.lower() not in path_item:
            raise KeyError(f"the spec has no operation {method.upper()} {path}")
        return self._operation(method.lower(), path)

    def match(self, method: str, raw_path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation a concrete request path addresses, with its path parameters (decoded).

        `raw_path` is still percent-encoded, so an encoded `/` stays inside its segment.
        Literal segments win over templated ones, as OpenAPI prescribes.
        """
        segments = raw_path.split("/")
        best: tuple[int, str, dict[str, str]] | None = None
        for template, path_item in self.document["paths"].items():
            if method.lower() not in path_item:
                continue
            values = _match_template(template.split("/"), segments)
            if values is None:
                continue
            literals = sum(1 for part in template.split("/") if not part.startswith("{"))
            if best is None or literals > best[0]:
                best = (literals, template, values)
        if best is None:
            return None
        return self._operation(method.lower(), best[1]), best[2]

    def _operation(self, method: str, path: str) -> Operation:
        if (method, path) not in self._operations:
            self._operations[(method, path)] = self._read_operation(method, path)
        return self._operations[(method, path)]

    def _read_operation(self, method: str, path: str) -> Operation:
        path_item = self.document["paths"][path]
        raw = path_item[method]
        base = f"/paths/{_escape(path)}"
        parameters: dict[tuple[str, str], Parameter] = {}
        declared = [
            (f"{base}/parameters/{i}", p) for i, p in enumerate(path_item.get("parameters", []))
        ] + [
            (f"{base}/{method}/parameters/{i}", p) for i, p in enumerate(raw.get("parameters", []))
        ]
        for pointer, item in declared:
            pointer, resolved = self._follow(pointer, item)
            schema = resolved.get("schema", {})
            parameters[(resolved["in"], resolved["name"])] = Parameter(
                name=resolved["name"],
                location=resolved["in"],
                required=bool(resolved.get("required", False)),
                schema=schema,
                pointer=f"{pointer}/schema",
                type=self._follow(f"{pointer}/schema", schema)[1].get("type"),
            )
        body_required = False
        media_types: tuple[str, ...] = ()
        body_pointer = None
        body_schema = None
        if "requestBody" in raw:
            pointer, body = self._follow(f"{base}/{method}/requestBody", raw["requestBody"])
            body_required = bool(body.get("required", False))
            media_types = tuple(body.get("content", {}))
            body_schema = body.get("content", {}).get("application/json", {}).get("schema")
            if body_schema is not None:
                body_pointer = f"{pointer}/content/application~1json/schema"
        responses: dict[str, str | None] = {}
        for status, response in raw.get("responses", {}).items():
            pointer, resolved = self._follow(f"{base}/{method}/responses/{status}", response)
            json_content = resolved.get("content", {}).get("application/json", {})
            responses[str(status)] = (
                f"{pointer}/content/application~1json/schema" if "schema" in json_content else None
            )
        return Operation(
            method=method.upper(),
            path=path,
            operation_id=raw["operationId"],
            parameters=parameters,
            request_body_required=body_required,
            request_body_media_types=media_types,
            request_body_pointer=body_pointer,
            request_body_schema=body_schema,
            response_pointers=responses,
        )

    def _follow(self, pointer: str, item: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
        """Follow local `$ref`s from a parameter, request body, response or schema object."""
        while "$ref" in item:
            ref = item["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"non-local reference {ref!r} at {pointer}")
            pointer = ref[1:]
            item = _resolve_pointer(self.document, pointer)
        return pointer, item


@functools.cache
def load_spec() -> OktaSpec:
    """The spec, parsed once per process."""
    return OktaSpec(json.loads(SPEC_PATH.read_bytes()))


@functools.cache
def load_error_codes() -> dict[str, dict[str, Any]]:
    """Okta's published error catalogue, by errorCode."""
    catalogue = json.loads(ERROR_CODES_PATH.read_text(encoding="utf-8"))
    return {entry["errorCode"]: entry for entry in catalogue["errors"]}


def summary_pattern(template: str) -> re.Pattern[str]:
    """A catalogue errorSummary template ("Not found: {0}") as a regex for real summaries."""
    parts = re.split(r"\{\d+\}", template)
    return re.compile(".+".join(re.escape(part) for part in parts), re.DOTALL)


def error_messages(validator: Draft4Validator, instance: Any) -> list[str]:
    """Every validation error, each with where it is, for an assertion message."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    ]


# Conversion from OpenAPI 3.0 Schema Objects to JSON Schema draft 4


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _convert(value) for key, value in node.items() if key not in _DROPPED_KEYS}
    discriminator = converted.get("discriminator")
    if isinstance(discriminator, dict) and isinstance(converted.get("oneOf"), list):
        converted = _with_discriminator(converted, discriminator)
    if converted.get("nullable") is True:
        del converted["nullable"]
        converted = {"anyOf": [{"type": "null"}, converted]}
    return converted


def _with_discriminator(schema: dict[str, Any], discriminator: dict[str, Any]) -> dict[str, Any]:
    """`oneOf` + `discriminator` as plain JSON Schema: each branch only for its values."""
    prop = discriminator["propertyName"]
    mapping: dict[str, str] = discriminator.get("mapping") or {}
    branches = []
    for branch in schema["oneOf"]:
        ref = branch.get("$ref")
        if ref is None:
            branches.append(branch)
            continue
        values = [value for value, target in mapping.items() if target == ref]
        if not mapping:
            values = [ref.rsplit("/", 1)[-1]]
        branches.append({"properties": {prop: {"enum": values}}, "allOf": [branch]})
    result = {k: v for k, v in schema.items() if k not in ("oneOf", "discriminator")}
    result["required"] = sorted({*result.get("required", []), prop})
    result["oneOf"] = branches
    return result


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.fullmatch(value):
            return False
        datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
        return True

    @checker.checks("email")
    def is_email(value: object) -> bool:
        # Okta sends "" for an unset optional email (secondEmail in the spec's own examples).
        return not isinstance(value, str) or value == "" or "@" in value

    return checker


# Pointers and templates


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _resolve_pointer(document: Any, pointer: str) -> Any:
    node = document
    for token in _tokens(pointer):
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return None
    return node


def _tokens(pointer: str) -> Iterator[str]:
    for token in pointer.lstrip("/").split("/"):
        yield _unescape(token)


def _match_template(template: list[str], segments: list[str]) -> dict[str, str] | None:
    if len(template) != len(segments):
        return None
    values: dict[str, str] = {}
    for part, segment in zip(template, segments, strict=True):
        if part.startswith("{") and part.endswith("}"):
            if not segment:
                return None
            values[part[1:-1]] = unquote(segment)
        elif part != segment:
            return None
    return values
