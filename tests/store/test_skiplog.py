"""SkipLog: every span left out, in the order met, with a bounded number of them in memory."""

from __future__ import annotations

from store.formats.skiplog import SkipLog, Skipped


def _span(i: int) -> Skipped:
    reason = ("overlaps another span", "not on token boundaries", "label has spaces")[i % 7 % 3]
    return Skipped(i // 10, i, i + 3, "ORG", f"t\t{i}\n\u2028é\ud800", reason)


def test_holds_at_most_keep_plus_a_batch_and_gives_back_every_span_in_order():
    log = SkipLog(keep=10, batch=50)
    want = [_span(i) for i in range(5_000)]
    for s in want:
        log.add(s)
        assert log.held() <= 60
    assert len(log) == 5_000 and log.held() < 100
    assert list(log) == want
    assert list(log) == want  # read again: the file is read from its start
    assert log.first(3) == want[:3] and log.first(15) == want[:15]
    counts: dict[str, int] = {}
    for s in want:
        counts[s.reason] = counts.get(s.reason, 0) + 1
    assert log.reasons() == counts and list(log.reasons()) == list(counts)


def test_empty_and_small_logs_need_no_file():
    log = SkipLog(keep=10, batch=50)
    assert not log and list(log) == [] and log.reasons() == {} and log.first(5) == []
    log.add(_span(1))
    assert log and list(log) == [_span(1)] and log._runs[0][0]._file is None


def test_reading_while_adding_sees_the_spans_as_they_were_and_adding_still_appends():
    log = SkipLog(keep=3, batch=4)
    for i in range(20):
        log.add(_span(i))
    it = iter(log)
    seen = [next(it) for _ in range(10)]  # the reader moved the file's position
    for i in range(20, 40):
        log.add(_span(i))
    seen += list(it)
    assert seen == [_span(i) for i in range(40)]
    assert list(log) == [_span(i) for i in range(40)]


def test_extend_shares_runs_in_order_and_later_adds_come_after():
    a, b = SkipLog(keep=2, batch=3), SkipLog(keep=2, batch=3)
    for i in range(10):
        a.add(_span(i))
    for i in range(10, 25):
        b.add(_span(i))
    total = SkipLog(keep=2, batch=3)
    total.extend(a)
    total.extend(b)
    b.add(_span(99))  # after the merge: not part of it
    assert list(total) == [_span(i) for i in range(25)] and len(total) == 25
    total.add(_span(25))
    assert list(total) == [_span(i) for i in range(26)]
    assert sum(total.reasons().values()) == 26
    assert total.held() <= 3 * (2 + 3)
