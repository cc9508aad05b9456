"""The sandbox's `search`, `filter` and `q` matching, checked against Okta's documented rules."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_okta.sandbox.expressions import (
    ExpressionError,
    compile_filter,
    compile_search,
    starts_with_query,
)

ISAAC: dict[str, Any] = {
    "id": "00u1isaac",
    "status": "ACTIVE",
    "created": "2024-01-02T03:04:05.000Z",
    "activated": "2024-01-02T03:05:00.000Z",
    "statusChanged": "2024-01-02T03:05:00.000Z",
    "lastLogin": None,
    "lastUpdated": "2024-06-01T12:00:00.000Z",
    "passwordChanged": None,
    "type": {"id": "otyDefault"},
    "profile": {
        "firstName": "Isaac",
        "lastName": "Brock",
        "email": "Isaac.Brock@example.com",
        "login": "isaac.brock@example.com",
        "mobilePhone": None,
        "department": "Engineering",
        "employeeNumber": 42,
        "isContractor": False,
        "skills": ["Python", "Go"],
    },
}
STAGED: dict[str, Any] = {
    "id": "00u2staged",
    "status": "STAGED",
    "created": "2023-05-01T00:00:00.000Z",
    "lastUpdated": "2023-05-01T00:00:00.000Z",
    "type": {"id": "otyContractor"},
    "profile": {
        "firstName": "Kim",
        "lastName": "Deal",
        "email": "kim@example.com",
        "login": "kim@example.com",
        "department": "Sales",
    },
}


def search(expression: str, user: dict[str, Any] = ISAAC) -> bool:
    return compile_search(expression)(user)


def test_expression_error_is_a_value_error() -> None:
    assert issubclass(ExpressionError, ValueError)


def test_search_eq_matches_equal_value() -> None:
    assert search('profile.department eq "Engineering"')
    assert not search('profile.department eq "Sales"')


def test_search_eq_ignores_case_of_string_values() -> None:
    assert search('profile.email eq "isaac.brock@EXAMPLE.com"')


def test_search_keeps_diacritics_significant() -> None:
    assert not search('profile.firstName eq "Isáac"')


def test_search_property_names_are_case_sensitive_and_not_an_error() -> None:
    assert not search('profile.FirstName eq "Isaac"')


def test_search_operators_and_logical_keywords_are_case_insensitive() -> None:
    assert search('profile.firstName EQ "isaac" AND status Sw "act" oR id PR')


def test_search_sw_matches_prefix() -> None:
    assert search('profile.lastName sw "bro"')
    assert not search('profile.lastName sw "rock"')


@pytest.mark.parametrize(
    "attribute", ["profile.firstName", "profile.lastName", "profile.email", "profile.login"]
)
def test_search_co_matches_substring_on_name_email_and_login(attribute: str) -> None:
    assert search(f'{attribute} co "C"')
    assert not search(f'{attribute} co "zzz"')


@pytest.mark.parametrize("attribute", ["profile.department", "status", "id"])
def test_search_co_is_refused_on_other_attributes(attribute: str) -> None:
    with pytest.raises(ExpressionError, match="'co' works only on"):
        compile_search(f'{attribute} co "x"')


def test_search_pr_needs_attribute_present_and_not_null() -> None:
    assert search("profile.department pr")
    assert not search("profile.mobilePhone pr")
    assert not search("profile.nickName pr")
    assert not search("lastLogin pr")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('created lt "2024-01-02T03:04:05.001Z"', True),
        ('created lt "2024-01-02T03:04:05.000Z"', False),
        ('created le "2024-01-02T03:04:05.000Z"', True),
        ('created gt "2024-01-02T03:04:04.999Z"', True),
        ('created gt "2024-01-02T03:04:05.000Z"', False),
        ('created ge "2024-01-02T03:04:05.000Z"', True),
        ('created eq "2024-01-02T03:04:05Z"', True),
    ],
)
def test_search_compares_timestamps_as_instants(expression: str, expected: bool) -> None:
    assert search(expression) is expected


def test_search_timestamp_comparison_honours_utc_offsets() -> None:
    assert search('created eq "2024-01-02T05:04:05.000+02:00"')


def test_search_rejects_a_value_that_is_not_a_timestamp_on_a_timestamp_attribute() -> None:
    with pytest.raises(ExpressionError, match="needs a timestamp"):
        compile_search('lastUpdated gt "last week"')


def test_search_orders_strings_so_lt_or_gt_replaces_ne() -> None:
    not_staged = compile_search('status lt "STAGED" or status gt "staged"')
    assert not_staged(ISAAC)
    assert not not_staged(STAGED)


def test_search_compares_numbers_numerically() -> None:
    assert search("profile.employeeNumber eq 42")
    assert search("profile.employeeNumber gt 9.5")
    assert not search("profile.employeeNumber lt 42")


def test_search_numbers_do_not_match_strings() -> None:
    assert not search("profile.department eq 42")


def test_search_matches_booleans_with_eq() -> None:
    assert search("profile.isContractor eq false")
    assert not search("profile.isContractor eq true")


def test_search_eq_null_matches_nothing() -> None:
    assert not search("profile.mobilePhone eq null")


def test_search_refuses_ordering_against_literals() -> None:
    with pytest.raises(ExpressionError, match="needs a string or number"):
        compile_search("profile.employeeNumber gt null")


@pytest.mark.parametrize(
    "expression",
    [
        'profile.nickName eq "x"',
        'profile.nickName sw ""',
        'profile.nickName lt "zzz"',
        'profile.nickName gt ""',
        "profile.nickName pr",
        'lastLogin lt "2999-01-01T00:00:00.000Z"',
    ],
)
def test_search_missing_attributes_never_match(expression: str) -> None:
    assert not search(expression)


def test_search_type_id_reads_the_user_type() -> None:
    assert search('type.id eq "otyDefault"')


def test_search_array_attribute_matches_when_any_element_matches() -> None:
    assert search('profile.skills eq "go"')
    assert not search('profile.skills eq "Rust"')


def test_search_and_binds_tighter_than_or() -> None:
    expression = 'status eq "ACTIVE" or status eq "STAGED" and profile.department eq "Nope"'
    assert search(expression)


def test_search_parentheses_override_precedence() -> None:
    expression = '(status eq "ACTIVE" or status eq "STAGED") and profile.department eq "Nope"'
    assert not search(expression)


def test_search_okta_documented_example_matches() -> None:
    expression = (
        'profile.department eq "Engineering" and '
        '(created lt "2014-01-01T00:00:00.000Z" or status eq "ACTIVE")'
    )
    assert search(expression)
    assert not search(expression, STAGED)


def test_search_string_values_unescape_quote_and_backslash() -> None:
    user = {"profile": {"title": 'the "A\\B" team'}}
    assert search(r'profile.title eq "the \"a\\b\" team"', user)


def test_search_accepts_nesting_of_fifty_parentheses() -> None:
    assert search("(" * 50 + "id pr" + ")" * 50)


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("", "empty expression"),
        ("   ", "empty expression"),
        ('(status eq "ACTIVE"', r"expected '\)'"),
        ('status eq "ACTIVE")', "unexpected"),
        ('status is "ACTIVE"', "expected an operator"),
        ('status ne "ACTIVE"', "'ne' operator is not supported"),
        ('not status eq "ACTIVE"', "'not' operator is not supported"),
        ('status eq "ACTIVE" status', "unexpected 'status'"),
        ('status eq "ACTIVE', "unterminated string"),
        ('status eq "ACTIVE\\', "unterminated string"),
        (r'status eq "\n"', "unsupported escape"),
        ("status eq ACTIVE", "expected a value"),
        ('status eq "ACTIVE" and', "expected an attribute"),
        ('status eq "ACTIVE" & id pr', "unexpected character"),
        ('credentials.provider eq "OKTA"', "unknown attribute"),
        ('profile.a.b eq "x"', "unknown attribute"),
        ("profile.firstName sw 3", "needs a string value"),
        ("(" * 51 + "id pr" + ")" * 51, "nested deeper than 50"),
        ("id pr or " * 250 + "id pr", "longer than 2000"),
    ],
)
def test_search_rejects_malformed_expression_with_reason(expression: str, reason: str) -> None:
    with pytest.raises(ExpressionError, match=reason):
        compile_search(expression)


@pytest.mark.parametrize(
    "expression",
    [
        'status eq "ACTIVE"',
        'id eq "00u1isaac"',
        'profile.login eq "isaac.brock@example.com"',
        'profile.email eq "Isaac.Brock@example.com"',
        'profile.firstName eq "Isaac"',
        'profile.lastName eq "Brock"',
        'lastUpdated eq "2024-06-01T12:00:00.000Z"',
    ],
)
def test_filter_supports_eq_on_its_attributes(expression: str) -> None:
    assert compile_filter(expression)(ISAAC)


def test_filter_values_are_case_sensitive() -> None:
    assert not compile_filter('profile.email eq "isaac.brock@example.com"')(ISAAC)


def test_filter_operators_are_case_insensitive() -> None:
    assert compile_filter('status EQ "ACTIVE" OR id Eq "x"')(ISAAC)


@pytest.mark.parametrize("op", ["lt", "le", "gt", "ge"])
def test_filter_supports_ordering_on_last_updated(op: str) -> None:
    assert compile_filter(f'lastUpdated {op} "2024-01-01T00:00:00.000Z"')(STAGED) is (
        op in ("lt", "le")
    )


@pytest.mark.parametrize(
    "expression",
    [
        'created gt "2024-01-01T00:00:00.000Z"',
        'status gt "A"',
        'profile.firstName sw "I"',
        'profile.firstName co "I"',
        "profile.firstName pr",
        'profile.department eq "Engineering"',
        'type.id eq "otyDefault"',
    ],
)
def test_filter_refuses_what_only_search_supports(expression: str) -> None:
    with pytest.raises(ExpressionError, match="filter does not support"):
        compile_filter(expression)


def test_filter_combines_with_and_or_and_parentheses() -> None:
    predicate = compile_filter('(status eq "STAGED" or status eq "ACTIVE") and id eq "00u2staged"')
    assert predicate(STAGED)
    assert not predicate(ISAAC)


def test_filter_shares_the_search_syntax_errors() -> None:
    with pytest.raises(ExpressionError, match="unterminated string"):
        compile_filter('status eq "ACTIVE')


@pytest.mark.parametrize("q", ["isa", "BRO", "isaac.b"])
def test_q_matches_case_insensitive_prefix_of_first_last_name_or_email(q: str) -> None:
    assert starts_with_query(q)(ISAAC)


@pytest.mark.parametrize("q", ["rock", "Engineering", "00u1"])
def test_q_ignores_substrings_and_other_attributes(q: str) -> None:
    assert not starts_with_query(q)(ISAAC)


def test_q_skips_users_without_a_profile() -> None:
    assert not starts_with_query("a")({"id": "00u3"})


_TOKENS = st.sampled_from(
    [
        "(",
        ")",
        "and",
        "OR",
        "not",
        "eq",
        "sw",
        "co",
        "pr",
        "gt",
        "le",
        "ne",
        "id",
        "status",
        "created",
        "lastUpdated",
        "profile.firstName",
        "profile.skills",
        "profile.employeeNumber",
        "type.id",
        '"ACTIVE"',
        '"2024-01-01T00:00:00.000Z"',
        '"\\"',
        "42",
        "-1.5e3",
        "true",
        "null",
        "\\",
        '"',
    ]
)


@settings(max_examples=300, derandomize=True)
@given(st.text(max_size=200))
def test_arbitrary_text_compiles_or_raises_expression_error(text: str) -> None:
    for compile_expression in (compile_search, compile_filter):
        with contextlib.suppress(ExpressionError):
            compile_expression(text)


@settings(max_examples=300, derandomize=True)
@given(st.lists(_TOKENS, max_size=12).map(" ".join))
def test_token_soup_compiles_and_evaluates_or_raises_expression_error(text: str) -> None:
    for compile_expression in (compile_search, compile_filter):
        try:
            predicate = compile_expression(text)
        except ExpressionError:
            continue
        assert predicate(ISAAC) in (True, False)
        assert predicate(STAGED) in (True, False)
