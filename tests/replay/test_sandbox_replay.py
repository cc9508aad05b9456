"""The sandbox answers real recorded requests as Okta answered them.

Each cassette's recorded requests go to a fresh sandbox org seeded with the users the recording
shows (`sandbox_replay.py`), and each answer is compared with Okta's, structurally. A
difference fails its cassette unless `replay_scope.KNOWN_DIFFERENCES` explains it; a request
the sandbox does not serve is listed, with its reason, in `replay_scope.NOT_SERVED`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from recorded import Cassette, answers, cassettes, errors
from replay_scope import KNOWN_DIFFERENCES, NOT_SERVED, Difference, KnownDifference, explanation
from sandbox_replay import CassetteReplay, replay, served

README = Path(__file__).resolve().parents[2] / "README.md"
SERVED = [cassette for cassette in cassettes() if served(cassette)]


def _differences(result: CassetteReplay) -> list[tuple[str, Difference, KnownDifference | None]]:
    return [
        (
            replayed.exchange.name,
            difference,
            explanation(difference, replayed.exchange, result.cassette),
        )
        for replayed in result.replayed
        for difference in replayed.differences
    ]


def _all_differences() -> list[tuple[str, Difference, KnownDifference | None]]:
    return [found for cassette in SERVED for found in _differences(replay(cassette))]


@pytest.mark.parametrize("cassette", SERVED, ids=[cassette.name for cassette in SERVED])
def test_the_sandbox_answers_each_recorded_request_as_okta_did(cassette: Cassette):
    result = replay(cassette)

    unexplained = [f"{name}: {diff}" for name, diff, known in _differences(result) if known is None]
    assert result.replayed
    assert unexplained == []


def test_every_recorded_users_api_request_is_replayed_or_listed_as_not_served():
    for cassette in cassettes():
        result = replay(cassette)
        accounted = {e.index for e in (r.exchange for r in result.replayed)}
        accounted |= {exchange.index for exchange, _ in result.not_served}
        assert accounted == {exchange.index for exchange in cassette.exchanges}, cassette.name


def test_every_operation_this_package_uses_is_replayed():
    operations = {r.exchange.operation for c in SERVED for r in replay(c).replayed}

    assert operations == {
        "listUsers",
        "getUser",
        "createUser",
        "updateUser",
        "replaceUser",
        "listAssignedRolesForUser",
    }


def test_every_not_served_rule_still_applies_to_a_recorded_request():
    used = {rule.requests for c in cassettes() for _, rule in replay(c).not_served}

    assert [rule.requests for rule in NOT_SERVED if rule.requests not in used] == []


def test_every_known_difference_still_explains_a_recorded_answer():
    used = {known.difference for _, _, known in _all_differences() if known is not None}

    assert [
        str(known.difference) for known in KNOWN_DIFFERENCES if known.difference not in used
    ] == []


def test_the_readme_states_the_replayed_figures():
    text = " ".join(README.read_text().split())
    found = re.search(
        r"read (\d+) recorded Okta answers \((\d+) answers to the requests it makes and (\d+) "
        r"error bodies\).*?answers (\d+) recorded requests with (\d+) unexplained "
        r"differences \((\d+) differences, each explained by one of (\d+) reasons",
        text,
    )
    differences = _all_differences()

    assert found is not None, "the README's sentence on the replays is missing or reworded"
    assert [int(number) for number in found.groups()] == [
        len(answers()) + len(errors()),
        len(answers()),
        len(errors()),
        sum(len(replay(c).replayed) for c in SERVED),
        sum(1 for _, _, known in differences if known is None),
        sum(1 for _, _, known in differences if known is not None),
        len(KNOWN_DIFFERENCES),
    ]
