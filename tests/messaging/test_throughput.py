"""The per-number throughput slots, on the test Redis with a fake clock: 80 a second, the 81st waits for the
next second, numbers do not share slots."""

from __future__ import annotations

from app.messaging.throughput import take_slot


class FakeClock:
    def __init__(self, start: float):
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_the_81st_message_of_a_second_waits_for_the_next(app):
    clock = FakeClock(1_800_000_000.25)
    waits = [take_slot("106540352242922", clock=clock, sleep=clock.sleep) for _ in range(200)]
    assert waits[:80] == [0.0] * 80
    assert abs(waits[80] - 0.75) < 1e-6 and waits[81:160] == [0.0] * 79  # second two: 80 more
    assert waits[160] > 0.99 and len(clock.sleeps) == 2
    assert int(clock.now) == 1_800_000_002
    # Another number has slots of its own in the same second.
    assert take_slot("999", clock=clock, sleep=clock.sleep) == 0.0


def test_the_limit_comes_from_config(app):
    app.config["MESSAGING_PER_SECOND"] = 3
    try:
        clock = FakeClock(1_800_000_100.5)
        waits = [take_slot("1", clock=clock, sleep=clock.sleep) for _ in range(7)]
        assert [w > 0 for w in waits] == [False, False, False, True, False, False, True]
    finally:
        app.config["MESSAGING_PER_SECOND"] = 80
