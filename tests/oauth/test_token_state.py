"""The shared token state: one renewal at a time, waiters, failures, lapsed leases."""

from __future__ import annotations

import threading

from langchain_okta.errors import OktaError
from langchain_okta.oauth.state import AccessToken, Failed, Renew, TokenState, Use, Wait

NOW = 1_000_000.0


def token(expires_in: float = 3600, now: float = NOW, value: str = "t") -> AccessToken:
    return AccessToken.issued(value, "DPoP", ("okta.users.read",), now=now, expires_in=expires_in)


def test_with_no_token_the_first_caller_renews_and_the_next_waits() -> None:
    state = TokenState(lease_seconds=30)

    first = state.decide(NOW)
    second = state.decide(NOW)

    assert isinstance(first, Renew)
    assert isinstance(second, Wait)
    assert second.lease == first.lease


def test_a_renewed_token_is_used_by_everyone_until_its_renewal_time() -> None:
    state = TokenState(lease_seconds=30)
    lease = state.decide(NOW)
    assert isinstance(lease, Renew)
    stored = state.renewed(lease.lease, token())

    assert state.decide(NOW + 1) == Use(stored)
    assert state.decide(NOW + 3539) == Use(stored)
    assert isinstance(state.decide(NOW + 3541), Renew)


def test_while_one_renews_early_the_others_keep_using_the_old_token() -> None:
    state = TokenState(lease_seconds=30)
    stored = state.renewed(1, token())

    assert isinstance(state.decide(NOW + 3550), Renew)
    assert state.decide(NOW + 3550) == Use(stored)


def test_after_expiry_the_others_wait_for_the_one_renewal() -> None:
    state = TokenState(lease_seconds=30)
    state.renewed(1, token())

    assert isinstance(state.decide(NOW + 4000), Renew)
    assert isinstance(state.decide(NOW + 4000), Wait)


def test_among_many_threads_exactly_one_renews() -> None:
    state = TokenState(lease_seconds=30)
    decisions: list[object] = []
    start = threading.Barrier(20)

    def ask() -> None:
        start.wait()
        decisions.append(state.decide(NOW))

    threads = [threading.Thread(target=ask) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(isinstance(decision, Renew) for decision in decisions) == 1
    assert sum(isinstance(decision, Wait) for decision in decisions) == 19


def test_waiters_get_a_copy_of_the_renewal_failure_and_do_not_retry() -> None:
    state = TokenState(lease_seconds=30)
    lease = state.decide(NOW)
    assert isinstance(lease, Renew)
    waiting = state.decide(NOW)
    assert isinstance(waiting, Wait)
    error = OktaError("refused", status=401, error_code="invalid_client")

    state.failed(lease.lease, error, NOW)
    outcome = state.decide(NOW, waited_on=waiting.lease)

    assert isinstance(outcome, Failed)
    assert outcome.error is not error
    assert str(outcome.error) == str(error)


def test_a_new_caller_after_a_failure_tries_again() -> None:
    state = TokenState(lease_seconds=30)
    state.decide(NOW)
    state.failed(1, OktaError("refused"), NOW)

    assert isinstance(state.decide(NOW + 1), Renew)


def test_a_failed_early_renewal_leaves_the_old_token_in_use_for_a_while() -> None:
    state = TokenState(lease_seconds=30)
    stored = state.renewed(1, token())
    lease = state.decide(NOW + 3550)
    assert isinstance(lease, Renew)

    state.failed(lease.lease, OktaError("busy"), NOW + 3550)

    assert state.decide(NOW + 3551) == Use(stored)
    assert isinstance(state.decide(NOW + 3556), Renew)


def test_an_abandoned_lease_is_free_at_once() -> None:
    state = TokenState(lease_seconds=30)
    lease = state.decide(NOW)
    assert isinstance(lease, Renew)

    state.abandoned(lease.lease)

    assert isinstance(state.decide(NOW), Renew)


def test_a_lease_whose_holder_vanished_lapses() -> None:
    state = TokenState(lease_seconds=30)
    state.decide(NOW)

    assert isinstance(state.decide(NOW + 29), Wait)
    assert isinstance(state.decide(NOW + 31), Renew)


def test_discarding_a_refused_token_spares_a_newer_one() -> None:
    state = TokenState(lease_seconds=30)
    old = state.renewed(1, token(value="old"))
    new = state.renewed(2, token(value="new", now=NOW + 10))

    state.discard(old.generation)
    assert state.token == new
    state.discard(new.generation)
    assert state.token is None


def test_the_state_repr_hides_the_token_and_the_nonces() -> None:
    state = TokenState(lease_seconds=30)
    state.renewed(1, token(value="SECRET-VALUE"))
    state.remember_nonce("token", "NONCE-VALUE")

    assert "SECRET-VALUE" not in repr(state)
    assert "NONCE-VALUE" not in repr(state)
