"""The sandbox org's query language: Okta's `search` and `filter` expressions over raw users.

One tokenizer and one recursive-descent parser serve both parameters; `filter` is the same tree
passed through a restriction check, then compiled with case-sensitive values.

Case rules follow Okta's listUsers reference: in `search`, property names are case-sensitive while
operators and string values are not; in `filter`, property names and values are case-sensitive and
only operators are not. Source:
https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/listUsers
(also https://support.okta.com/help/s/article/case-sensitivity-in-okta-users-api-filter-vs-search).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "ExpressionError",
    "UserPredicate",
    "compile_filter",
    "compile_search",
    "starts_with_query",
]

MAX_LENGTH = 2000
MAX_DEPTH = 50


class ExpressionError(ValueError):
    """An expression Okta would refuse with E0000031 (invalid search criteria).

    str(e) is a short human reason.
    """


UserPredicate = Callable[[Mapping[str, Any]], bool]
Value = str | int | float | bool | None

_TIMESTAMPS = frozenset(
    {"created", "activated", "statusChanged", "lastUpdated", "lastLogin", "passwordChanged"}
)
_TOP_LEVEL = _TIMESTAMPS | {"id", "status", "type.id"}
_CONTAINS_ATTRIBUTES = ("profile.firstName", "profile.lastName", "profile.email", "profile.login")
_FILTER_EQ_ATTRIBUTES = ("status", "lastUpdated", "id", *_CONTAINS_ATTRIBUTES)
_QUERY_ATTRIBUTES = ("firstName", "lastName", "email")

_ORDERING: dict[str, Callable[[Any, Any], bool]] = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}
_EQUALITY: dict[str, Callable[[Any, Any], bool]] = {"eq": lambda a, b: a == b, **_ORDERING}
_STRING_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "sw": lambda a, b: a.startswith(b),
    "co": lambda a, b: b in a,
    **_EQUALITY,
}
_OPERATORS = frozenset({"pr", *_STRING_TESTS})
_LITERALS: dict[str, Value] = {"true": True, "false": False, "null": None}

# ASCII classes on purpose: \d and \w would admit Unicode digits and letters Okta does not.
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_PROFILE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "string", "number", "word" or "end"
    text: str
    pos: int
    value: Value = None

    def describe(self) -> str:
        return (
            "end of expression" if self.kind == "end" else f"{self.text!r} at position {self.pos}"
        )


@dataclass(frozen=True)
class _Compare:
    path: str
    op: str
    value: Value


@dataclass(frozen=True)
class _Logical:
    op: str  # "and" or "or"
    operands: tuple[_Node, ...]


_Node = _Compare | _Logical


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char in " \t\r\n":
            pos += 1
            continue
        if char in "()":
            token = _Token(char, char, pos)
        elif char == '"':
            token = _read_string(text, pos)
        elif match := _NUMBER.match(text, pos):
            number = match.group()
            value = int(number) if number.lstrip("-").isdigit() else float(number)
            token = _Token("number", number, pos, value)
        elif match := _WORD.match(text, pos):
            token = _Token("word", match.group(), pos)
        else:
            raise ExpressionError(f"unexpected character {char!r} at position {pos}")
        tokens.append(token)
        pos += len(token.text)
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _read_string(text: str, start: int) -> _Token:
    chars: list[str] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == '"':
            return _Token("string", text[start : pos + 1], start, "".join(chars))
        if char == "\\":
            char = text[pos + 1 : pos + 2]
            if not char:
                break
            if char not in ('"', "\\"):
                raise ExpressionError(f"unsupported escape '\\{char}' at position {pos}")
            pos += 1
        chars.append(char)
        pos += 1
    raise ExpressionError(f"unterminated string starting at position {start}")


class _Parser:
    """or_expr := and_expr ("or" and_expr)*;  and_expr := primary ("and" primary)*;
    primary := "(" or_expr ")" | path "pr" | path operator value."""

    def __init__(self, expression: str) -> None:
        if len(expression) > MAX_LENGTH:
            raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
        self._tokens = _tokenize(expression)
        self._index = 0
        self._depth = 0

    def parse(self) -> _Node:
        if self._peek().kind == "end":
            raise ExpressionError("empty expression")
        node = self._logical("or", self._and)
        if self._peek().kind != "end":
            raise ExpressionError(f"unexpected {self._peek().describe()}")
        return node

    def _and(self) -> _Node:
        return self._logical("and", self._primary)

    def _logical(self, keyword: str, operand: Callable[[], _Node]) -> _Node:
        operands = [operand()]
        while self._peek().kind == "word" and self._peek().text.lower() == keyword:
            self._index += 1
            operands.append(operand())
        return operands[0] if len(operands) == 1 else _Logical(keyword, tuple(operands))

    def _primary(self) -> _Node:
        token = self._next()
        if token.kind == "(":
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise ExpressionError(f"parentheses nested deeper than {MAX_DEPTH}")
            node = self._logical("or", self._and)
            closing = self._next()
            if closing.kind != ")":
                raise ExpressionError(f"expected ')' but found {closing.describe()}")
            self._depth -= 1
            return node
        if token.kind == "word" and token.text.lower() == "not":
            raise ExpressionError("the 'not' operator is not supported")
        if token.kind != "word":
            raise ExpressionError(f"expected an attribute but found {token.describe()}")
        path = _check_path(token)
        op_token = self._next()
        op = op_token.text.lower()
        if op_token.kind != "word" or op not in _OPERATORS:
            if op == "ne":
                raise ExpressionError("the 'ne' operator is not supported; use lt ... or ... gt")
            raise ExpressionError(
                f"expected an operator after {path} but found {op_token.describe()}"
            )
        return _Compare(path, op, None if op == "pr" else self._value(op))

    def _value(self, op: str) -> Value:
        token = self._next()
        if token.kind in ("string", "number"):
            return token.value
        if token.kind == "word" and token.text in _LITERALS:
            return _LITERALS[token.text]
        raise ExpressionError(f"expected a value after '{op}' but found {token.describe()}")

    def _peek(self) -> _Token:
        return self._tokens[self._index]

    def _next(self) -> _Token:
        token = self._tokens[self._index]
        # The "end" token stays put so errors past the end keep describing it.
        self._index = min(self._index + 1, len(self._tokens) - 1)
        return token


def _check_path(token: _Token) -> str:
    head, _, name = token.text.partition(".")
    if token.text in _TOP_LEVEL or (head == "profile" and _PROFILE_NAME.fullmatch(name)):
        return token.text
    raise ExpressionError(f"unknown attribute {token.describe()}")


def _instant(text: str) -> datetime | None:
    # fromisoformat reads "Z" but not a lower-case "z", which RFC 3339 allows.
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _lookup(user: Mapping[str, Any], keys: list[str]) -> Any:
    current: Any = user
    for key in keys:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def _value_test(node: _Compare, fold: bool) -> Callable[[Any], bool]:
    op, value = node.op, node.value
    if op == "co" and node.path not in _CONTAINS_ATTRIBUTES:
        raise ExpressionError(f"'co' works only on {', '.join(_CONTAINS_ATTRIBUTES)}")
    if value is None or isinstance(value, bool):
        if op != "eq":
            raise ExpressionError(f"'{op}' needs a string or number, not {str(value).lower()}")
        if value is None:
            # Missing and null attributes never match, so `eq null` cannot match anything.
            return lambda actual: False
        return lambda actual: actual is value
    if node.path in _TIMESTAMPS and op in _EQUALITY:
        instant = _instant(value) if isinstance(value, str) else None
        if instant is None:
            raise ExpressionError(f'{node.path} needs a timestamp like "2024-01-01T00:00:00.000Z"')
        compare_instants = _EQUALITY[op]

        def test_instant(actual: Any) -> bool:
            moment = _instant(actual) if isinstance(actual, str) else None
            return moment is not None and compare_instants(moment, instant)

        return test_instant
    if not isinstance(value, str):
        if op not in _EQUALITY:
            raise ExpressionError(f"'{op}' needs a string value")
        compare_numbers, number = _EQUALITY[op], value
        return lambda actual: (
            isinstance(actual, int | float)
            and not isinstance(actual, bool)
            and compare_numbers(actual, number)
        )
    # lower(), not casefold(): casefold also equates "ß" with "ss", which is more than case.
    expected = value.lower() if fold else value
    compare_strings = _STRING_TESTS[op]
    return lambda actual: (
        isinstance(actual, str) and compare_strings(actual.lower() if fold else actual, expected)
    )


def _compile(node: _Node, fold: bool) -> UserPredicate:
    if isinstance(node, _Logical):
        parts = tuple(_compile(operand, fold) for operand in node.operands)
        combine = all if node.op == "and" else any
        return lambda user: combine(part(user) for part in parts)
    keys = node.path.split(".")
    if node.op == "pr":
        return lambda user: _lookup(user, keys) is not None
    test = _value_test(node, fold)

    def predicate(user: Mapping[str, Any]) -> bool:
        actual = _lookup(user, keys)
        # Okta matches an array attribute when any one element matches.
        return any(test(item) for item in actual) if isinstance(actual, list) else test(actual)

    return predicate


def _check_filter(node: _Node) -> None:
    if isinstance(node, _Logical):
        for operand in node.operands:
            _check_filter(operand)
        return
    if node.op == "eq" and node.path in _FILTER_EQ_ATTRIBUTES:
        return
    if node.op in _ORDERING and node.path == "lastUpdated":
        return
    raise ExpressionError(
        f"filter does not support '{node.path} {node.op}': only eq on "
        f"{', '.join(_FILTER_EQ_ATTRIBUTES)}, and lt/le/gt/ge on lastUpdated (use search)"
    )


def compile_search(expression: str) -> UserPredicate:
    """Compile an Okta `search` expression into a predicate over raw user objects."""
    return _compile(_Parser(expression).parse(), fold=True)


def compile_filter(expression: str) -> UserPredicate:
    """Compile an Okta `filter` expression (the narrow, case-sensitive subset of `search`)."""
    tree = _Parser(expression).parse()
    _check_filter(tree)
    return _compile(tree, fold=False)


def starts_with_query(q: str) -> UserPredicate:
    """Okta's `q`: case-insensitive startsWith on profile firstName, lastName or email."""
    prefix = q.lower()

    def predicate(user: Mapping[str, Any]) -> bool:
        profile = user.get("profile")
        if not isinstance(profile, Mapping):
            return False
        values = (profile.get(name) for name in _QUERY_ATTRIBUTES)
        return any(isinstance(value, str) and value.lower().startswith(prefix) for value in values)

    return predicate
