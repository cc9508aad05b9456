"""Configuring a service app: PrivateKeyJwt, the environment, and the mistakes made with them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from langchain_okta import OktaClient, OktaConfigurationError, OktaSettings, OktaToolkit
from langchain_okta.oauth import DEFAULT_SCOPES, PrivateKeyJwt
from langchain_okta.oauth.keys import load_signing_key

ORG = "https://acme.okta.com"
CLIENT_ID = "0oa1b2c3d4e5f6g7h8i9"


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


EC_KEY = ec.generate_private_key(ec.SECP256R1())
EC_PEM = pem(EC_KEY)
KEY_PIECE = EC_PEM.splitlines()[2]
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PEM = pem(RSA_KEY)


def jwk_text(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, kid: str = "k1") -> str:
    algorithm = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
    jwk = algorithm.to_jwk(key, as_dict=True)
    jwk["kid"] = kid
    return json.dumps(jwk)


def resolve(**env: str) -> OktaSettings:
    return OktaSettings.resolve(env={"OKTA_ORG_URL": ORG, **env})


def configuration_error(**env: str) -> str:
    with pytest.raises(OktaConfigurationError) as raised:
        resolve(**env)
    message = str(raised.value)
    assert KEY_PIECE not in message
    return message


# -- PrivateKeyJwt ---------------------------------------------------------------------------


def test_private_key_jwt_repr_and_dump_hide_the_key() -> None:
    auth = PrivateKeyJwt(client_id=CLIENT_ID, private_key=EC_PEM, key_id="k1")

    for text in (repr(auth), str(auth), str(auth.model_dump()), auth.model_dump_json()):
        assert KEY_PIECE not in text


def test_scopes_default_to_read_manage_and_roles_read() -> None:
    auth = PrivateKeyJwt(client_id=CLIENT_ID, private_key=EC_PEM)

    assert (
        auth.scopes
        == DEFAULT_SCOPES
        == (
            "okta.users.read",
            "okta.users.manage",
            "okta.roles.read",
        )
    )


def test_scopes_may_be_one_string_separated_by_commas_or_spaces() -> None:
    auth = PrivateKeyJwt(
        client_id=CLIENT_ID, private_key=EC_PEM, scopes="okta.users.read, okta.roles.read"
    )

    assert auth.scopes == ("okta.users.read", "okta.roles.read")


def test_a_scope_that_is_not_an_okta_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown scope"):
        PrivateKeyJwt(client_id=CLIENT_ID, private_key=EC_PEM, scopes=["users:read"])


@pytest.mark.parametrize("client_id", ["", "0oa/../x", "0oa 1", EC_PEM])
def test_a_client_id_that_is_not_one_is_refused_without_echoing_it(client_id: str) -> None:
    with pytest.raises(ValueError, match="Client ID") as raised:
        PrivateKeyJwt(client_id=client_id, private_key=EC_PEM)

    assert KEY_PIECE not in str(raised.value)


def test_read_only_asks_for_no_manage_scope() -> None:
    auth = PrivateKeyJwt(client_id=CLIENT_ID, private_key=EC_PEM)

    assert auth.without_manage_scope().scopes == ("okta.users.read", "okta.roles.read")


# -- the environment -------------------------------------------------------------------------


def test_our_variables_configure_a_service_app() -> None:
    settings = resolve(
        OKTA_CLIENT_ID=CLIENT_ID,
        OKTA_PRIVATE_KEY=EC_PEM,
        OKTA_KEY_ID="k1",
        OKTA_SCOPES="okta.users.read okta.users.manage",
    )

    assert settings.api_token is None
    assert settings.auth is not None
    assert settings.auth.client_id == CLIENT_ID
    assert settings.auth.key_id == "k1"
    assert settings.auth.scopes == ("okta.users.read", "okta.users.manage")


def test_the_sdk_variables_count_with_the_sdk_mode_switch() -> None:
    settings = resolve(
        OKTA_CLIENT_AUTHORIZATIONMODE="PrivateKey",
        OKTA_CLIENT_CLIENTID=CLIENT_ID,
        OKTA_CLIENT_PRIVATEKEY=jwk_text(RSA_KEY, "sdk-kid"),
        OKTA_CLIENT_SCOPES="okta.users.read,okta.users.manage",
    )

    assert settings.auth is not None
    assert settings.auth.client_id == CLIENT_ID
    assert settings.auth.scopes == ("okta.users.read", "okta.users.manage")


def test_the_sdk_variables_without_the_mode_switch_are_not_a_service_app() -> None:
    settings = resolve(
        OKTA_API_TOKEN="00token", OKTA_CLIENT_CLIENTID=CLIENT_ID, OKTA_CLIENT_PRIVATEKEY=EC_PEM
    )

    assert settings.auth is None
    assert settings.api_token is not None


def test_the_key_may_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "key.pem"
    key_file.write_text(EC_PEM)

    settings = resolve(OKTA_CLIENT_ID=CLIENT_ID, OKTA_PRIVATE_KEY_PATH=str(key_file))

    assert settings.auth is not None
    assert settings.auth.private_key.get_secret_value() == EC_PEM.strip()


def test_a_key_file_that_does_not_exist_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"

    message = configuration_error(OKTA_CLIENT_ID=CLIENT_ID, OKTA_PRIVATE_KEY_PATH=str(missing))

    assert str(missing) in message


def test_a_client_id_without_a_key_is_half_a_service_app() -> None:
    message = configuration_error(OKTA_CLIENT_ID=CLIENT_ID)

    assert "half" in message
    assert "OKTA_PRIVATE_KEY" in message
    assert "OKTA_PRIVATE_KEY_PATH" in message


def test_a_key_without_a_client_id_is_half_a_service_app() -> None:
    message = configuration_error(OKTA_PRIVATE_KEY=EC_PEM, OKTA_SCOPES="okta.users.read")

    assert "half" in message
    assert "OKTA_CLIENT_ID" in message


def test_the_sdk_mode_switch_alone_is_half_a_service_app() -> None:
    message = configuration_error(OKTA_CLIENT_AUTHORIZATIONMODE="PrivateKey")

    assert "OKTA_CLIENT_CLIENTID" in message


def test_a_key_and_a_key_path_at_once_are_refused(tmp_path: Path) -> None:
    message = configuration_error(
        OKTA_CLIENT_ID=CLIENT_ID, OKTA_PRIVATE_KEY=EC_PEM, OKTA_PRIVATE_KEY_PATH="/x.pem"
    )

    assert "not both" in message


def test_an_api_token_and_a_service_app_at_once_are_refused_naming_both() -> None:
    message = configuration_error(
        OKTA_API_TOKEN="00token", OKTA_CLIENT_ID=CLIENT_ID, OKTA_PRIVATE_KEY=EC_PEM
    )

    assert "OKTA_API_TOKEN" in message
    assert "OKTA_CLIENT_ID" in message
    assert "00token" not in message


def test_an_unknown_sdk_mode_is_refused() -> None:
    assert "PrivateKey" in configuration_error(OKTA_CLIENT_AUTHORIZATIONMODE="Magic")


def test_no_credentials_at_all_name_both_ways() -> None:
    message = configuration_error()

    for variable in ("OKTA_API_TOKEN", "OKTA_CLIENT_ID", "OKTA_PRIVATE_KEY"):
        assert variable in message


def test_both_ways_as_arguments_are_refused() -> None:
    auth = PrivateKeyJwt(client_id=CLIENT_ID, private_key=EC_PEM)

    with pytest.raises(OktaConfigurationError, match="not both"):
        OktaSettings.resolve(ORG, "00token", auth=auth, env={})


def test_an_argument_wins_over_the_environment() -> None:
    auth = PrivateKeyJwt(client_id=CLIENT_ID, private_key=EC_PEM)

    settings = OktaSettings.resolve(ORG, auth=auth, env={"OKTA_API_TOKEN": "00token"})

    assert settings.auth == auth
    assert settings.api_token is None


def test_toolkit_refuses_both_ways_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "OKTA_ORG_URL": ORG,
        "OKTA_API_TOKEN": "00token",
        "OKTA_CLIENT_ID": CLIENT_ID,
        "OKTA_PRIVATE_KEY": EC_PEM,
    }.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(OktaConfigurationError, match="both an API token"):
        OktaToolkit(check_admin=False)


# -- the extra -------------------------------------------------------------------------------


def test_without_the_oauth_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if PyJWT were not installed: importing it fails.
    monkeypatch.setitem(sys.modules, "jwt", None)
    monkeypatch.delitem(sys.modules, "langchain_okta.oauth.keys", raising=False)
    settings = OktaSettings(
        org_url=ORG, auth=PrivateKeyJwt(client_id=CLIENT_ID, private_key=EC_PEM)
    )

    with pytest.raises(OktaConfigurationError) as raised:
        OktaClient(settings)

    assert "pip install 'langchain-okta[oauth]'" in str(raised.value)


def test_the_api_token_path_needs_no_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jwt", None)
    monkeypatch.delitem(sys.modules, "langchain_okta.oauth.keys", raising=False)

    client = OktaClient(OktaSettings(org_url=ORG, api_token="00token"))

    assert client.oauth_session is None


# -- keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "algorithm", "key_id"),
    [
        pytest.param(RSA_PEM, "RS256", None, id="rsa-pem"),
        pytest.param(EC_PEM, "ES256", None, id="ec-pem"),
        pytest.param(jwk_text(RSA_KEY), "RS256", "k1", id="rsa-jwk"),
        pytest.param(jwk_text(EC_KEY), "ES256", "k1", id="ec-jwk"),
        pytest.param(pem(ec.generate_private_key(ec.SECP384R1())), "ES384", None, id="ec-p384-pem"),
        pytest.param(
            json.dumps({"keys": [json.loads(jwk_text(EC_KEY, "only"))]}),
            "ES256",
            "only",
            id="jwks-of-one",
        ),
    ],
)
def test_rsa_and_ec_keys_load_from_pem_or_jwk(
    text: str, algorithm: str, key_id: str | None
) -> None:
    key = load_signing_key(text, None)

    assert key.algorithm == algorithm
    assert key.key_id == key_id


def test_an_explicit_key_id_wins_over_the_jwk_kid() -> None:
    assert load_signing_key(jwk_text(EC_KEY, "in-jwk"), "given").key_id == "given"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("not a key", "neither PEM", id="garbage"),
        pytest.param(
            EC_KEY.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode(),
            "public key",
            id="public-pem",
        ),
        pytest.param(
            json.dumps(ECAlgorithm.to_jwk(EC_KEY.public_key(), as_dict=True)),
            "public key",
            id="public-jwk",
        ),
        pytest.param(
            EC_KEY.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"pw"),
            ).decode(),
            "encrypted",
            id="encrypted-pem",
        ),
        pytest.param(
            # Too small on purpose: the check refuses it.
            pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)),  # noqa: S505
            "at least 2048",
            id="small-rsa",
        ),
        pytest.param(EC_PEM.replace(KEY_PIECE, KEY_PIECE[::-1]), "cannot be read", id="damaged"),
    ],
)
def test_an_unusable_key_is_refused_without_echoing_it(text: str, reason: str) -> None:
    with pytest.raises(OktaConfigurationError, match=reason) as raised:
        load_signing_key(text, None)

    assert KEY_PIECE not in str(raised.value)
    assert raised.value.__cause__ is None


# -- secrets behind a configuration error ----------------------------------------------------


def reachable_text(error: BaseException) -> str:
    """What the error chain holds that a debugger, a logger or an error tracker could show:
    each exception's message, args, attributes, and a validation error's inputs."""
    parts: list[str] = []
    queue: list[BaseException | None] = [error]
    seen: set[int] = set()
    while queue:
        current = queue.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        parts += [str(current), repr(current.args), repr(vars(current))]
        parts += [repr(getattr(current, name, "")) for name in ("doc", "object", "input")]
        errors = getattr(current, "errors", None)
        if callable(errors):
            parts.append(repr(errors()))
        queue += [current.__context__, current.__cause__]
    return "\n".join(parts)


def test_a_key_pasted_into_the_client_id_variable_is_not_reachable_from_the_error() -> None:
    with pytest.raises(OktaConfigurationError, match="Client ID") as raised:
        resolve(OKTA_CLIENT_ID=EC_PEM, OKTA_PRIVATE_KEY=RSA_PEM)

    assert KEY_PIECE not in reachable_text(raised.value)


def test_a_jwk_with_a_typo_is_not_reachable_from_the_error() -> None:
    text = jwk_text(EC_KEY).replace('"kid"', '"kid",', 1)
    private_part = json.loads(jwk_text(EC_KEY))["d"]

    with pytest.raises(OktaConfigurationError, match="does not parse") as raised:
        load_signing_key(text, None)

    assert private_part not in reachable_text(raised.value)


def test_a_pem_that_cannot_be_encoded_is_not_reachable_from_the_error() -> None:
    with pytest.raises(OktaConfigurationError, match="cannot be read") as raised:
        load_signing_key(EC_PEM + "\udcff", None)

    assert KEY_PIECE not in reachable_text(raised.value)


def test_a_key_file_that_is_not_utf_8_is_not_reachable_from_the_error(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_bytes(EC_PEM.encode() + b"\xff")

    with pytest.raises(OktaConfigurationError, match="cannot be read as text") as raised:
        resolve(OKTA_CLIENT_ID=CLIENT_ID, OKTA_PRIVATE_KEY_PATH=str(path))

    assert KEY_PIECE not in reachable_text(raised.value)
