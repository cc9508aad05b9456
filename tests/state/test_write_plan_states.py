"""Creates and updates under any order of faults, concurrent edits and clock moves.

Hypothesis runs one plan at a time against a model of Okta (`okta_model.OktaModel`) and
chooses how each request is answered: normally, lost before or after Okta applied it, a
gateway page, a read-only 503, a 429 (a window's or the concurrency limit's), an unreadable
2xx. Between calls, other admins create users and edit profiles, and time passes. What each
plan reports is checked against the model's truth.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from okta_model import JSON, OktaModel

from langchain_okta import plans
from langchain_okta.api import ApiRequest, Received
from langchain_okta.errors import (
    OktaDuplicateLoginError,
    OktaError,
    OktaNotFoundError,
    OktaUnconfirmedCreateError,
)
from langchain_okta.plans import Context, Send, Sleep
from langchain_okta.retries import TransportFailure
from langchain_okta.settings import RetrySettings

PEOPLE = {
    "ada@example.com": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"},
    "alan@example.com": {"firstName": "Alan", "lastName": "Turing", "email": "alan@example.com"},
    "grace@example.com": {"firstName": "Grace", "lastName": "Hopper", "email": "grace@example.com"},
}
FIELDS = ("firstName", "lastName", "email", "login", "mobilePhone")
SETTLE_SECONDS = plans.CREATED_TOLERANCE_SECONDS + 1

Answer = Callable[["WritePlanStates", ApiRequest], Any]


def _normally(machine: WritePlanStates, request: ApiRequest) -> Any:
    return machine.okta.answer(request, machine.caller)


def _lost_before_sending(machine: WritePlanStates, request: ApiRequest) -> Any:
    return TransportFailure("connection refused", may_have_reached_okta=False)


def _lost_after_applying(machine: WritePlanStates, request: ApiRequest) -> Any:
    machine.okta.answer(request, machine.caller)
    return TransportFailure("connection reset", may_have_reached_okta=True)


def _gateway_before_okta(machine: WritePlanStates, request: ApiRequest) -> Any:
    return Received(502, {"content-type": "text/html"}, b"<html>Bad Gateway</html>")


def _gateway_after_applying(machine: WritePlanStates, request: ApiRequest) -> Any:
    machine.okta.answer(request, machine.caller)
    return Received(504, {"content-type": "text/html"}, b"<html>Gateway Timeout</html>")


def _read_only_window(machine: WritePlanStates, request: ApiRequest) -> Any:
    return machine.okta.error(503, "E0000010", "Service is in read only mode")


def _window_429(machine: WritePlanStates, request: ApiRequest) -> Any:
    return _rate_limited(machine, limit=600)


def _concurrency_429(machine: WritePlanStates, request: ApiRequest) -> Any:
    return _rate_limited(machine, limit=0)


def _unreadable_2xx(machine: WritePlanStates, request: ApiRequest) -> Any:
    machine.okta.answer(request, machine.caller)
    return Received(200, JSON, b'{"id": "00u')


def _rate_limited(machine: WritePlanStates, *, limit: int) -> Received:
    answer = machine.okta.error(
        429, "E0000047", "API call exceeded rate limit due to too many requests."
    )
    reset = int(machine.okta.okta_now) + 2
    headers = {
        **answer.headers,
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(reset),
    }
    return Received(429, headers, answer.body)


ANSWERS: dict[str, Answer] = {
    "normally": _normally,
    "lost before sending": _lost_before_sending,
    "lost after applying": _lost_after_applying,
    "gateway before okta": _gateway_before_okta,
    "gateway after applying": _gateway_after_applying,
    "read-only window": _read_only_window,
    "window 429": _window_429,
    "concurrency 429": _concurrency_429,
    "unreadable 2xx": _unreadable_2xx,
}


class WritePlanStates(RuleBasedStateMachine):
    @initialize(skew=st.floats(-600, 600), seed=st.integers(0, 2**16))
    def start(self, skew: float, seed: int) -> None:
        self.okta = OktaModel(skew=skew)
        self.ctx = Context(
            retries=RetrySettings(max_attempts=4, backoff_base=0.25, backoff_max=4, max_wait=30),
            clock=lambda: self.okta.now,
            rng=random.Random(seed),
        )
        self.calls = 0
        self.caller = ""
        self.plan: Any = None
        self.step: Any = None
        self.check: Callable[[Any, BaseException | None], None] | None = None

    # -- the world between calls ---------------------------------------------------------------

    @precondition(lambda self: self.plan is None)
    @rule(login=st.sampled_from(sorted(PEOPLE)), status=st.sampled_from(["ACTIVE", "STAGED"]))
    def someone_else_creates(self, login: str, status: str) -> None:
        if self.okta.find(login) is None:
            self.okta.add({**PEOPLE[login], "login": login}, status, "someone else")
        self.okta.now += SETTLE_SECONDS  # the stated tolerance of the unsure create

    @precondition(lambda self: self.plan is None and self.okta.users)
    @rule(which=st.integers(0, 100), phone=st.sampled_from(["+1 555 0100", "+44 20 7946 0000"]))
    def someone_else_edits(self, which: int, phone: str) -> None:
        user = self.okta.users[which % len(self.okta.users)]
        user.profile["mobilePhone"] = phone
        user.version += 1

    @rule(seconds=st.floats(0, 120))
    def time_passes(self, seconds: float) -> None:
        self.okta.now += seconds

    # -- a call ----------------------------------------------------------------------------

    @precondition(lambda self: self.plan is None)
    @rule(login=st.sampled_from(sorted(PEOPLE)), activate=st.booleans())
    def create(self, login: str, activate: bool) -> None:
        existed = self.okta.find(login)
        profile = {**PEOPLE[login], "login": login}

        def check(result: Any, error: BaseException | None) -> None:
            mine = [user for user in self.okta.users if user.created_by == self.caller]
            assert len(mine) <= 1, "one create call made two users"
            if error is None:
                assert mine, "reported a user it did not create"
                assert result.id == mine[0].id, "reported a user it did not create"
                assert existed is None
            elif isinstance(error, OktaDuplicateLoginError):
                assert existed is not None, "said the login existed when this call created it"
                assert not mine
            elif not isinstance(error, OktaUnconfirmedCreateError):
                assert not mine, f"created the user but reported {error!r}"

        self._begin(plans.create_user(self.ctx, profile, activate=activate), check)

    @precondition(lambda self: self.plan is None and self.okta.users)
    @rule(
        which=st.integers(0, 100),
        by_login=st.booleans(),
        changes=st.fixed_dictionaries(
            {},
            optional={
                "firstName": st.sampled_from(["Ada", "Augusta"]),
                "lastName": st.sampled_from(["King", "Byron"]),
                "email": st.sampled_from(["a.king@example.com", "ada@example.com"]),
                "login": st.sampled_from(["a.king@example.com", "countess@example.com"]),
                "mobilePhone": st.sampled_from([None, "+1 555 0199"]),
            },
        ),
    )
    def update(self, which: int, by_login: bool, changes: dict[str, Any]) -> None:
        user = self.okta.users[which % len(self.okta.users)]
        before = dict(user.profile)
        asked = user.profile["login"] if by_login else user.id

        def check(result: Any, error: BaseException | None) -> None:
            assert not isinstance(error, OktaNotFoundError), "a user that exists reported missing"
            for name in FIELDS:
                if name not in changes:
                    assert user.profile.get(name) == before.get(name), f"{name} changed unasked"
            if error is None:
                updated, changed = result
                assert updated.id == user.id
                assert set(changed) <= set(changes)
                for name, value in changes.items():
                    assert user.profile.get(name) == value

        self._begin(plans.update_user(self.ctx, asked, changes), check)

    @precondition(lambda self: self.plan is not None)
    @rule(how=st.sampled_from(sorted(ANSWERS)))
    def answer(self, how: str) -> None:
        assert isinstance(self.step, Send)
        self._advance(ANSWERS[how](self, self.step.request))

    @invariant()
    def logins_stay_unique(self) -> None:
        logins = [str(user.profile["login"]).lower() for user in self.okta.users]
        assert len(logins) == len(set(logins))

    def teardown(self) -> None:
        # A call still running when the steps run out is answered normally to its end.
        while self.plan is not None:
            self.answer_normally()

    def answer_normally(self) -> None:
        assert isinstance(self.step, Send)
        self._advance(self.okta.answer(self.step.request, self.caller))

    # -- driving a plan as the drivers do --------------------------------------------------

    def _begin(self, plan: Any, check: Callable[[Any, BaseException | None], None]) -> None:
        self.calls += 1
        self.caller = f"call {self.calls}"
        self.plan, self.check = plan, check
        self._settle(lambda: next(plan))

    def _advance(self, outcome: Any) -> None:
        self._settle(lambda: self.plan.send(outcome))

    def _settle(self, resume: Callable[[], Any]) -> None:
        try:
            step = resume()
            while isinstance(step, Sleep):
                self.okta.now += step.seconds
                step = self.plan.send(None)
        except StopIteration as done:
            self._finish(done.value, None)
        except OktaError as error:
            self._finish(None, error)
        else:
            self.step = step

    def _finish(self, result: Any, error: BaseException | None) -> None:
        assert self.check is not None
        check, self.plan, self.step, self.check = self.check, None, None, None
        check(result, error)
        # Calls start the stated tolerance apart: within it, a user an earlier call made
        # cannot be told from one this call made (their `created` may be the same instant).
        self.okta.now += SETTLE_SECONDS


WritePlanStates.TestCase.settings = settings(
    max_examples=200, stateful_step_count=30, deadline=None, derandomize=True, database=None
)
test_creates_and_updates_stay_true_in_any_order = WritePlanStates.TestCase
