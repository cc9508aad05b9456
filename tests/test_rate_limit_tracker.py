"""Reading Okta's rate-limit headers, and holding requests back before Okta answers 429."""

from email.utils import formatdate

import pytest

from langchain_okta.rate_limits import (
    Hold,
    RateLimitHeaders,
    RateLimitTracker,
    Window,
    read_rate_limit,
)

# An Okta response from long ago: the local clock is years past its Reset.
OKTA_NOW = 1_700_000_000
BUCKET = "GET /api/v1/users/{id}"


def headers(remaining, *, reset_in=30, date=OKTA_NOW, limit=600):
    return {
        "date": formatdate(date, usegmt=True),
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(date + reset_in),
    }


# -- read_rate_limit ------------------------------------------------------------------------


def test_reset_is_measured_from_the_responses_date_not_the_local_clock():
    assert read_rate_limit(headers(42, reset_in=17)) == RateLimitHeaders(600, 42, 17.0)


def test_response_without_rate_limit_headers_reports_nothing():
    assert read_rate_limit({"date": formatdate(OKTA_NOW, usegmt=True)}) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [("x-rate-limit-limit", "many"), ("x-rate-limit-remaining", ""), ("x-rate-limit-reset", "x")],
)
def test_garbled_rate_limit_header_reports_nothing(name, value):
    assert read_rate_limit({**headers(5), name: value}) is None


@pytest.mark.parametrize("date", [None, "yesterday", ""])
def test_missing_or_garbled_date_assumes_a_full_minute(date):
    given = headers(5, reset_in=10)
    if date is None:
        del given["date"]
    else:
        given["date"] = date

    assert read_rate_limit(given) == RateLimitHeaders(600, 5, 60.0)


def test_reset_before_date_counts_as_already_reset():
    assert read_rate_limit(headers(5, reset_in=-3)).seconds_to_reset == 0.0


def test_absurdly_distant_reset_is_capped():
    assert read_rate_limit(headers(5, reset_in=86_400)).seconds_to_reset <= 120.0


# -- RateLimitTracker -----------------------------------------------------------------------


@pytest.fixture
def tracker():
    return RateLimitTracker()


def wait_of(hold):
    return 0.0 if hold is None else hold.seconds


def test_requests_to_an_unknown_endpoint_go_out_without_waiting_for_a_probe(tracker):
    assert [tracker.acquire(BUCKET, 0.0) for _ in range(10)] == [None] * 10


def test_an_unknown_window_holds_a_burst_beyond_the_concurrency_bound_briefly():
    tracker = RateLimitTracker(unknown_window_requests=3)

    holds = [tracker.acquire(BUCKET, 0.0) for _ in range(4)]

    assert holds == [None, None, None, Hold(pytest.approx(0.05), used_up=False)]


def test_the_first_answer_releases_the_held_burst_into_the_reported_window():
    tracker = RateLimitTracker(unknown_window_requests=3)
    for _ in range(3):
        tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(5), 0.0)

    assert [tracker.acquire(BUCKET, 0.0) for _ in range(4)] == [
        None,
        None,
        None,
        Hold(pytest.approx(30.0), used_up=True, resets_in=pytest.approx(30.0)),
    ]


def test_the_first_answer_opens_the_endpoint_up_to_its_remaining(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(5), 0.0)

    waits = [wait_of(tracker.acquire(BUCKET, 0.0)) for _ in range(6)]

    assert waits == [0.0] * 5 + [pytest.approx(30.0)]


def test_a_server_without_rate_limit_headers_is_not_paced(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, {"content-type": "application/json"}, 0.0)

    assert [tracker.acquire(BUCKET, 0.0) for _ in range(50)] == [None] * 50


def test_a_new_window_starts_with_the_last_limit_not_unlimited(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(0, reset_in=10, limit=3), 0.0)

    holds = [tracker.acquire(BUCKET, 10.0) for _ in range(4)]

    assert holds[:3] == [None] * 3
    assert holds[3] is not None
    assert holds[3].seconds == pytest.approx(0.05)


def test_a_window_the_tracker_opened_itself_is_used_up_once_its_limit_is_in_flight(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(0, reset_in=10, limit=3), 0.0)

    holds = [tracker.acquire(BUCKET, 10.0) for _ in range(4)]

    # Its reset is not reported yet, but its limit is known: a fourth request would be a 429.
    assert holds[3] == Hold(pytest.approx(0.05), used_up=True, resets_in=None)


def test_reset_is_placed_with_the_largest_date_offset_seen(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(0, reset_in=10), 0.0)
    tracker.acquire(BUCKET, 0.0, force=True)
    # Okta's Date is floored to the second: a later response shows its clock is 0.8 s ahead.
    tracker.release(BUCKET, headers(0, reset_in=9, date=OKTA_NOW + 1), 0.2)

    assert wait_of(tracker.acquire(BUCKET, 0.2)) == pytest.approx(9.0)


def test_requests_go_out_while_remaining_exceeds_those_in_flight(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(3), 0.0)

    assert [tracker.acquire(BUCKET, 1.0) for _ in range(3)] == [None, None, None]


def test_a_window_whose_last_requests_are_in_flight_is_used_up_until_its_reset(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(2, reset_in=30), 0.0)
    tracker.acquire(BUCKET, 5.0)
    tracker.acquire(BUCKET, 5.0)

    assert tracker.acquire(BUCKET, 5.0) == Hold(
        pytest.approx(25.0), used_up=True, resets_in=pytest.approx(25.0)
    )


def test_request_waits_for_the_reset_when_okta_reports_none_remaining(tracker):
    tracker.acquire(BUCKET, 100.0)
    tracker.release(BUCKET, headers(0, reset_in=12), 100.0)

    assert tracker.acquire(BUCKET, 100.0) == Hold(
        pytest.approx(12.0), used_up=True, resets_in=pytest.approx(12.0)
    )


def test_requests_go_out_again_after_the_reset(tracker):
    tracker.acquire(BUCKET, 100.0)
    tracker.release(BUCKET, headers(0, reset_in=12), 100.0)

    assert tracker.acquire(BUCKET, 112.0) is None


def test_a_forced_request_goes_out_whatever_the_window_says(tracker):
    tracker.acquire(BUCKET, 100.0)
    tracker.release(BUCKET, headers(0, reset_in=12), 100.0)

    assert tracker.acquire(BUCKET, 100.0, force=True) is None


def test_a_concurrency_limit_429_does_not_close_the_endpoint(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(0, reset_in=10, limit=0), 0.0)

    assert tracker.acquire(BUCKET, 0.0) is None


def test_a_concurrency_limit_429_after_a_known_window_leaves_that_window_as_it_was(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(0, reset_in=10, limit=5), 0.0)
    tracker.acquire(BUCKET, 0.0, force=True)
    tracker.release(BUCKET, headers(0, reset_in=40, limit=0), 0.0)

    assert [tracker.acquire(BUCKET, 10.0) for _ in range(5)] == [None] * 5


def test_an_absurdly_distant_reset_holds_requests_for_two_minutes_at_most(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(0, reset_in=86_400), 0.0)

    assert tracker.acquire(BUCKET, 120.0) is None


def test_a_released_slot_can_be_used_again(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(1, reset_in=30), 0.0)
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, None, 0.0)  # that request failed without a response

    assert tracker.acquire(BUCKET, 0.0) is None


def test_buckets_are_counted_separately(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(0, reset_in=30), 0.0)

    assert tracker.acquire("GET /api/v1/users", 0.0) is None


def test_out_of_order_responses_within_one_window_keep_the_lowest_remaining(tracker):
    for _ in range(2):
        tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(0, reset_in=30), 0.0)
    tracker.release(BUCKET, headers(7, reset_in=30), 0.5)  # sent earlier, arrived later

    assert tracker.acquire(BUCKET, 1.0) == Hold(
        pytest.approx(29.0), used_up=True, resets_in=pytest.approx(29.0)
    )


def test_a_stale_response_from_a_past_window_is_ignored(tracker):
    for _ in range(2):
        tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(500, reset_in=55, date=OKTA_NOW + 5), 0.0)
    # Sent in the previous window, which had run dry; it arrives after the new window began.
    tracker.release(BUCKET, headers(0, reset_in=3, date=OKTA_NOW - 2), 0.0)

    assert tracker.acquire(BUCKET, 1.0) is None


def test_a_response_from_a_new_window_replaces_the_old_one(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(0, reset_in=10), 0.0)
    tracker.acquire(BUCKET, 10.0)
    tracker.release(BUCKET, headers(599, reset_in=60, date=OKTA_NOW + 10), 10.0)

    assert tracker.acquire(BUCKET, 11.0) is None


# -- RateLimitTracker.window ----------------------------------------------------------------


def test_no_window_is_known_before_okta_reports_one(tracker):
    assert tracker.window(BUCKET, 0.0) is None
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, {"content-type": "application/json"}, 0.0)

    assert tracker.window(BUCKET, 0.0) is None


def test_the_window_is_okta_s_last_report_less_the_requests_in_flight(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(40, reset_in=30), 0.0)
    tracker.acquire(BUCKET, 5.0)
    tracker.acquire(BUCKET, 5.0)

    assert tracker.window(BUCKET, 5.0) == Window(limit=600, spare=38, resets_in=pytest.approx(25.0))


def test_after_its_reset_the_window_reads_as_a_new_one_of_the_last_limit(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(0, reset_in=10, limit=50), 0.0)

    assert tracker.window(BUCKET, 10.0) == Window(limit=50, spare=50, resets_in=None)


def test_reading_the_window_reserves_nothing(tracker):
    tracker.acquire(BUCKET, 0.0)
    tracker.release(BUCKET, headers(1, reset_in=30), 0.0)
    for _ in range(5):
        tracker.window(BUCKET, 0.0)

    assert tracker.acquire(BUCKET, 0.0) is None
    assert tracker.window(BUCKET, 0.0) == Window(600, 0, pytest.approx(30.0))
