import pytest

from sync.hlc import Clock, Stamp


class Wall:
    def __init__(self, millis: int):
        self.millis = millis

    def __call__(self) -> int:
        return self.millis


def test_stamps_never_go_backwards_when_the_wall_clock_does():
    wall = Wall(1_000)
    clock = Clock("a", wall)
    first = clock.tick()
    wall.millis = 500
    second = clock.tick()
    assert second > first
    assert second.encode() > first.encode()


def test_observing_a_stamp_from_the_future_moves_past_it():
    clock = Clock("a", Wall(1_000))
    remote = Stamp(5_000, 3, "b")
    local = clock.observe(remote)
    assert local > remote and local.millis == 5_000 and local.counter == 4
    assert clock.tick() > local


def test_text_order_is_time_order():
    stamps = [Stamp(10, 2, "z"), Stamp(9, 65535, "a"), Stamp(10, 10, "a"), Stamp(1000, 0, "a")]
    assert sorted(s.encode() for s in stamps) == [s.encode() for s in sorted(stamps)]


def test_round_trip_and_rejects_garbage():
    stamp = Stamp(1_764_400_000_000, 17, "device-7")
    assert Stamp.decode(stamp.encode()) == stamp
    for bad in ("", "12-00-x", "0000000000000001-0000-"):
        with pytest.raises(ValueError):
            Stamp.decode(bad)


def test_counter_overflow_moves_to_the_next_millisecond():
    clock = Clock("a", Wall(7))
    stamps = [clock.tick() for _ in range(70_000)]
    assert all(b > a for a, b in zip(stamps, stamps[1:], strict=False))
