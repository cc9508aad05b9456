"""The `after` cursor of the next page, read from Okta's `link` headers."""

from langchain_okta.paging import next_cursor

SELF = '<https://acme.okta.com/api/v1/users?limit=2>; rel="self"'
NEXT = '<https://acme.okta.com/api/v1/users?after=00u2abc&limit=2>; rel="next"'


def test_cursor_comes_from_the_next_link_among_separate_header_lines():
    assert next_cursor([SELF, NEXT]) == "00u2abc"


def test_header_order_does_not_matter():
    assert next_cursor([NEXT, SELF]) == "00u2abc"


def test_a_single_comma_joined_header_is_read_the_same_way():
    assert next_cursor([f"{SELF}, {NEXT}"]) == "00u2abc"


def test_an_unquoted_rel_is_accepted():
    assert next_cursor(["<https://acme.okta.com/api/v1/users?after=00u9>; rel=next"]) == "00u9"


def test_a_link_with_several_rels_counts_when_one_is_next():
    header = '<https://acme.okta.com/api/v1/users?after=00u7>; rel="next prev"'

    assert next_cursor([header]) == "00u7"


def test_rel_is_case_insensitive():
    assert next_cursor(['<https://acme.okta.com/api/v1/users?after=00u5>; REL="Next"']) == "00u5"


def test_last_page_has_no_cursor():
    assert next_cursor([SELF]) is None


def test_no_link_headers_means_no_cursor():
    assert next_cursor([]) is None


def test_a_prev_link_is_not_a_next_link():
    assert next_cursor(['<https://acme.okta.com/api/v1/users?after=00u1>; rel="prev"']) is None


def test_a_next_link_without_an_after_parameter_has_no_cursor():
    assert next_cursor(['<https://acme.okta.com/api/v1/users?limit=2>; rel="next"']) is None


def test_a_next_url_on_another_host_yields_only_the_cursor():
    header = '<https://evil.example/steal?after=00u3xyz>; rel="next"'

    assert next_cursor([header]) == "00u3xyz"


def test_url_encoded_cursor_values_are_decoded():
    header = '<https://acme.okta.com/api/v1/users?after=a%2Fb%3D%3D%20c&limit=2>; rel="next"'

    assert next_cursor([SELF, header]) == "a/b== c"


def test_other_link_parameters_do_not_hide_the_rel():
    header = '<https://acme.okta.com/api/v1/users?after=00u4>; type="application/json"; rel="next"'

    assert next_cursor([header]) == "00u4"
