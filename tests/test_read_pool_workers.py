"""Issue 13: how many processes read the files is decided on how busy the cores are now (a short look at
/proc/stat), not on the 1-minute load average, which right after a cold build still counts that build."""
from __future__ import annotations

from etl import build, read_pool

STAT = "cpu  11137103 360658 1050999 3527977 36990 0 29268 26789 0 0\ncpu0 5527318 175177 524239 1812912 19569 0 12471 13103 0 0\n"
# user+nice+system+idle+iowait+irq+softirq+steal, idle+iowait (guest time is already in user)
TIMES = (16_169_784, 3_564_967)


def later(ticks: int, idle: int) -> tuple[int, int]:
    return TIMES[0] + ticks, TIMES[1] + idle


def test_the_cpu_times_are_read_from_the_first_line(tmp_path):
    (tmp_path / "stat").write_text(STAT, encoding="ascii")
    assert read_pool._cpu_times(tmp_path / "stat") == TIMES


def test_busy_cores_between_two_readings():
    # 0.15 s on 2 cores at 100 ticks a second: 30 ticks
    assert read_pool.busy_between(TIMES, later(30, 27), 2) == 2 * 3 / 30  # 0.2 of a core
    assert read_pool.busy_between(TIMES, later(30, 3), 2) == 2 * 27 / 30  # 1.8 cores
    assert read_pool.busy_between(TIMES, later(30, 0), 2) == 2.0
    assert read_pool.busy_between(TIMES, TIMES, 2) == 0.0  # no tick between them


def test_one_process_per_core_while_more_than_half_a_core_is_free():
    assert read_pool.workers_for(2, 0.2) == 2
    assert read_pool.workers_for(2, 1.4) == 2
    assert read_pool.workers_for(2, 1.5) == 1
    assert read_pool.workers_for(2, 1.8) == 1
    assert read_pool.workers_for(4, 3.4) == 4
    assert read_pool.workers_for(1, 0.0) == 1


def _readings(monkeypatch, *readings, load=(0.0, 0.0, 0.0), cores=2):
    left = list(readings)

    def cpu_times():
        if not left:
            raise OSError("no /proc/stat")
        return left.pop(0)

    monkeypatch.setattr(read_pool, "_cpu_times", cpu_times)
    monkeypatch.setattr(read_pool.os, "getloadavg", lambda: load)
    monkeypatch.setattr(read_pool.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(read_pool.time, "sleep", lambda seconds: None)


def test_right_after_a_cold_build_the_idle_cores_are_used(monkeypatch):
    """The build kept both cores busy for a minute: the load average still reads 2.0, the cores are idle now."""
    _readings(monkeypatch, TIMES, later(30, 28), load=(2.0, 1.3, 0.6))
    assert read_pool.default_workers() == 2


def test_cores_busy_now_are_not_added_to(monkeypatch):
    """Another build started a moment ago: the load average has not risen yet, the cores are busy."""
    _readings(monkeypatch, TIMES, later(30, 2), load=(0.3, 0.5, 0.4))
    assert read_pool.default_workers() == 1


def test_without_proc_stat_the_load_average_decides(monkeypatch):
    _readings(monkeypatch, load=(0.3, 0.5, 0.4))
    assert read_pool.default_workers() == 2
    _readings(monkeypatch, load=(1.6, 0.5, 0.4))
    assert read_pool.default_workers() == 1


def test_the_cores_are_watched_only_when_processes_are_worth_it(monkeypatch, tmp_path):
    asked = []
    monkeypatch.setattr(read_pool, "default_workers", lambda: asked.append(1) or 2)
    few = [tmp_path / f"{n}.csv" for n in range(3)]
    for path in few:
        path.write_text("a", encoding="utf-8")
    assert build._worker_count(few, None) == 1 and asked == []
    many = few * (read_pool.PARALLEL_MIN_FILES // 3 + 1)
    assert build._worker_count(many, 1) == 1 and asked == []
    assert build._worker_count(many, 3) == 3 and asked == []
    assert build._worker_count(many, None) == 2 and asked == [1]


def test_a_real_look_at_the_cores(monkeypatch):
    """This machine's /proc/stat (Linux): two readings a moment apart, all ticks counted at least as idle ones."""
    before = read_pool._cpu_times()
    busy = read_pool.busy_cores(2)
    after = read_pool._cpu_times()
    assert after[0] > before[0] and after[0] - before[0] >= after[1] - before[1] >= 0
    assert 0.0 <= busy <= 2.0
