"""Where the org URL and API token come from, and which org URLs are accepted."""

import httpx
import pytest

from langchain_okta.errors import OktaConfigurationError
from langchain_okta.settings import OktaSettings, is_loopback

TOKEN = "TOKEN-SECRET-123"
ORG = "https://acme.okta.com"


def resolve(org_url=None, api_token=None, **env):
    return OktaSettings.resolve(org_url, api_token, env=env)


def configuration_error(org_url=None, api_token=None, **env) -> str:
    with pytest.raises(OktaConfigurationError) as caught:
        resolve(org_url, api_token, **env)
    return str(caught.value)


# -- where the values come from -------------------------------------------------------------


def test_arguments_are_used_when_given():
    settings = resolve(ORG, TOKEN)

    assert settings.org_url == ORG
    assert settings.api_token.get_secret_value() == TOKEN


def test_arguments_win_over_the_environment():
    settings = resolve(
        ORG, TOKEN, OKTA_ORG_URL="https://other.okta.com", OKTA_API_TOKEN="ENV-TOKEN"
    )

    assert settings.org_url == ORG
    assert settings.api_token.get_secret_value() == TOKEN


def test_environment_is_used_when_arguments_are_missing():
    settings = resolve(OKTA_ORG_URL=ORG, OKTA_API_TOKEN=TOKEN)

    assert settings.org_url == ORG
    assert settings.api_token.get_secret_value() == TOKEN


def test_sdk_variable_names_are_a_fallback():
    settings = resolve(OKTA_CLIENT_ORGURL=ORG, OKTA_CLIENT_TOKEN=TOKEN)

    assert settings.org_url == ORG
    assert settings.api_token.get_secret_value() == TOKEN


def test_own_variable_names_win_over_the_sdk_ones():
    settings = resolve(
        OKTA_ORG_URL=ORG,
        OKTA_API_TOKEN=TOKEN,
        OKTA_CLIENT_ORGURL="https://sdk.okta.com",
        OKTA_CLIENT_TOKEN="SDK-TOKEN",
    )

    assert settings.org_url == ORG
    assert settings.api_token.get_secret_value() == TOKEN


def test_blank_environment_values_count_as_missing():
    settings = resolve(OKTA_ORG_URL="  ", OKTA_CLIENT_ORGURL=ORG, OKTA_API_TOKEN=TOKEN)

    assert settings.org_url == ORG


def test_missing_everything_is_one_error_naming_every_variable():
    message = configuration_error()

    for name in ("OKTA_ORG_URL", "OKTA_CLIENT_ORGURL", "OKTA_API_TOKEN", "OKTA_CLIENT_TOKEN"):
        assert name in message


def test_missing_token_alone_names_only_the_token_variables():
    message = configuration_error(ORG)

    assert "OKTA_API_TOKEN" in message
    assert "OKTA_ORG_URL" not in message


def test_missing_org_url_alone_names_only_the_url_variables():
    message = configuration_error(api_token=TOKEN)

    assert "OKTA_ORG_URL" in message
    assert "OKTA_API_TOKEN" not in message


# -- org URL normalisation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://acme.okta.com/", "https://acme.okta.com"),
        ("HTTPS://ACME.Okta.COM", "https://acme.okta.com"),
        ("  https://acme.okta.com  ", "https://acme.okta.com"),
        ("https://acme.okta.com:8443/", "https://acme.okta.com:8443"),
        ("https://login.example.com", "https://login.example.com"),
    ],
)
def test_org_url_is_normalised(given, expected):
    assert resolve(given, TOKEN).org_url == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://acme.oktapreview.com:443/", "https://acme.oktapreview.com"),
        ("HTTPS://Acme.Okta.com:443", "https://acme.okta.com"),
        ("http://127.0.0.1:80", "http://127.0.0.1"),
    ],
)
def test_the_default_port_is_dropped_as_httpx_drops_it(given, expected):
    # The client assertion's aud and the proofs' htu are made from the org URL: they must
    # name it as the request does, and httpx sends no default port.
    org_url = resolve(given, TOKEN).org_url

    assert org_url == expected
    # What httpx sends as the Host is the org URL's authority, as aud and htu name it.
    assert httpx.Request("GET", org_url + "/api/v1/users").headers["host"] == org_url.split("//")[1]


def test_an_internationalised_host_is_named_in_the_ascii_form_httpx_sends():
    # aud and htu must name the host Okta sees: httpx sends it IDNA-encoded.
    org_url = resolve("https://Bücher.Example.com", TOKEN).org_url

    assert org_url == "https://xn--bcher-kva.example.com"
    assert httpx.Request("GET", org_url + "/api/v1/users").headers["host"] == org_url.split("//")[1]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765", "http://localhost:8765/", "http://[::1]:8765"]
)
def test_plain_http_is_allowed_on_loopback(url):
    assert resolve(url, TOKEN).org_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    ["http://acme.okta.com", "http://10.0.0.1", "http://localhost.evil.example", "ftp://acme"],
)
def test_anything_but_https_is_refused_off_loopback(url):
    message = configuration_error(url, TOKEN)

    assert "https://" in message


@pytest.mark.parametrize("host", ["::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:127.1.2.3"])
def test_an_ipv4_mapped_loopback_address_is_not_loopback_on_any_python(host):
    # Python 3.13 started reading these by their IPv4 half; the answer must not change with it.
    assert not is_loopback(host)


@pytest.mark.parametrize("url", ["acme.okta.com", "not a url", "https://"])
def test_something_that_is_not_a_url_is_refused(url):
    assert "https://your-org.okta.com" in configuration_error(url, TOKEN)


@pytest.mark.parametrize("domain", ["okta.com", "oktapreview.com", "okta-emea.com"])
def test_admin_console_host_is_refused_with_the_api_host_as_hint(domain):
    message = configuration_error(f"https://acme-admin.{domain}", TOKEN)

    assert "Admin Console" in message
    assert f"https://acme.{domain}" in message


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.okta.com/api/v1",
        "https://acme.okta.com/api/v1/users",
        "https://acme.okta.com/?x=1",
        "https://acme.okta.com/#top",
    ],
)
def test_org_url_with_a_path_query_or_fragment_is_refused(url):
    message = configuration_error(url, TOKEN)

    assert "https://acme.okta.com" in message


# -- the token stays secret -----------------------------------------------------------------


def test_token_is_not_in_repr_or_str_of_settings():
    settings = resolve(ORG, TOKEN)

    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert TOKEN not in settings.model_dump_json()


@pytest.mark.parametrize(
    "url",
    ["http://acme.okta.com", "https://acme-admin.okta.com", "https://acme.okta.com/api", "x"],
)
def test_token_is_not_in_an_org_url_error(url):
    assert TOKEN not in configuration_error(url, TOKEN)


@pytest.mark.parametrize("token", [f"SSWS {TOKEN}", f"{TOKEN}\n", f"{TOKEN}\x00"])
def test_token_with_whitespace_or_control_characters_is_refused_without_echoing_it(token):
    message = configuration_error(ORG, token)

    assert "whitespace" in message
    assert TOKEN not in message


def test_token_is_not_echoed_when_the_settings_are_built_directly():
    with pytest.raises(ValueError, match="whitespace") as caught:
        OktaSettings(org_url=ORG, api_token=f"SSWS {TOKEN}")

    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value)
