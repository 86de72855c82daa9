"""Issue 13: a cold build reads files in worker processes; the result is the serial build's, merged in
the same file order, with progress per file; workers that would read differently are not used."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from etl import read_pool
from etl.build import CampaignSources, build, collect
from etl.config import load_campaign
from etl.read import vocabulary
from tests.test_incremental_build import SAMPLE, SAMPLE_FILES, tables, write_ledger

SALT = "parallel-test-salt"


@pytest.fixture()
def src(tmp_path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    for name in SAMPLE_FILES:
        shutil.copyfile(SAMPLE / name, folder / name)
    shutil.copyfile(SAMPLE / SAMPLE_FILES[0], folder / "a_copy.xlsx")  # a duplicate, reported at merge time
    (folder / "~$临泉县_整改台账_20230413.xlsx").write_bytes(b"lock")
    write_ledger(folder / "临泉_手写台账_20230601.xlsx", "临泉县交通运输局", "2023年6月1日",
                 [["HW-01", "逐利执法", "乱罚款", "超限车辆罚款后未卸载", "自查自纠", "立即纠正", "2023年6月30日前", "法规股", "已完成整改"]])
    return folder


def sources(src: Path) -> list[CampaignSources]:
    return [CampaignSources(load_campaign("fuyang-2023"), [src])]


def comparable(result) -> tuple:
    rows = {c.table: sorted(map(repr, c.rows())) for c in result.tables()}
    return (rows, [dataclasses.astuple(s) for s in result.submissions], [dataclasses.astuple(e) for e in result.errors],
            result.files)


@pytest.fixture()
def always_parallel(monkeypatch):
    monkeypatch.setattr(read_pool, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(read_pool, "MAX_CHUNK_FILES", 3)  # several chunks per worker, out of step


def test_processes_give_the_serial_result_in_order(src, always_parallel):
    serial_progress, parallel_progress = [], []
    serial = collect(sources(src), lambda *a: serial_progress.append(a), salt=SALT, profiles=[], workers=1)
    parallel = collect(sources(src), lambda *a: parallel_progress.append(a), salt=SALT, profiles=[], workers=2)
    assert comparable(parallel) == comparable(serial)
    # lists compared in order: submissions and errors are merged in the serial file order
    assert parallel_progress == serial_progress
    # the files one by one, between "checking the files" and "checking duplicates"
    assert [i for i, _, _ in parallel_progress] == [0, *range(1, 15), 14]
    assert parallel_progress[1][2].startswith("a_copy.xlsx：")
    assert len(serial.ledger) > 0 and len(serial.leads) > 0 and len(serial.survey) > 0


def test_parallel_cold_build_fills_the_cache(tmp_path, src, always_parallel):
    db = tmp_path / "inc" / "d.duckdb"
    build(sources(src), db, salt=SALT, profiles=[], cache=True, workers=2)
    again = build(sources(src), db, salt=SALT, profiles=[], cache=True, workers=2)
    assert again.files_from_cache == 12  # every file read (the copy's original and the lock file are not)
    cold = tmp_path / "cold.duckdb"
    build(sources(src), cold, salt=SALT, profiles=[], workers=1)
    assert tables(db) == tables(cold)


def test_workers_that_would_read_differently_are_not_used(tmp_path, src, always_parallel, monkeypatch):
    """Here the vocabulary is another file than the one a fresh process reads: the workers say so at
    start and the build reads every file itself, with this process's vocabulary."""
    changed = tmp_path / "vocabulary.toml"
    changed.write_bytes(vocabulary.VOCABULARY_FILE.read_bytes() + "\n# 本地修改\n".encode())
    monkeypatch.setattr(vocabulary, "VOCABULARY_FILE", changed)
    failures = []
    real = read_pool.read_in_processes

    def watched(*args):
        try:
            yield from real(*args)
        except read_pool.PoolFailed as exc:
            failures.append(str(exc))
            raise

    monkeypatch.setattr(read_pool, "read_in_processes", watched)
    parallel = collect(sources(src), salt=SALT, profiles=[], workers=2)
    assert len(failures) == 1 and "differently" in failures[0]
    serial = collect(sources(src), salt=SALT, profiles=[], workers=1)
    assert comparable(parallel) == comparable(serial)


def test_few_files_are_read_here(src, monkeypatch):
    def no_processes(*args):
        raise AssertionError("no worker processes for a handful of files")

    monkeypatch.setattr(read_pool, "read_in_processes", no_processes)
    assert collect(sources(src), salt=SALT, profiles=[], workers=2).files == 14


def test_processes_for_many_files_or_two_big_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(read_pool, "PARALLEL_BIG_BYTES", 1000)

    def files(*sizes: int) -> list[Path]:
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        folder.mkdir()
        for n, size in enumerate(sizes):
            (folder / f"{n}.csv").write_bytes(b"x" * size)
        return [folder / f"{n}.csv" for n in range(len(sizes))]

    assert read_pool.worth_processes(files(*[10] * 200))
    assert not read_pool.worth_processes(files(*[10] * 199))
    assert read_pool.worth_processes(files(5000, 1000))  # two lead registers (an in-place update re-reading them)
    assert not read_pool.worth_processes(files(5000, 999, 10))  # one big one: nothing to share
    assert not read_pool.worth_processes([tmp_path / "gone.csv", tmp_path / "gone2.csv"])  # (reported when read)
    assert not read_pool.worth_processes([])


def test_two_big_files_among_few_are_read_in_processes(src, monkeypatch):
    """The sample's registers stand in for big ones: with the size bar at their size, the handful of files
    goes to the workers, and the result is the serial one."""
    sizes = sorted((p.stat().st_size for p in src.iterdir() if p.is_file()), reverse=True)
    monkeypatch.setattr(read_pool, "PARALLEL_BIG_BYTES", sizes[1])
    used = []
    real = read_pool.read_in_processes
    monkeypatch.setattr(read_pool, "read_in_processes", lambda jobs, *a: used.append(len(jobs)) or real(jobs, *a))
    parallel = collect(sources(src), salt=SALT, profiles=[], workers=2)
    assert used == [12]  # the 14 files less the duplicate copy and the Excel lock file, which are not read
    assert comparable(parallel) == comparable(collect(sources(src), salt=SALT, profiles=[], workers=1))


def test_chunks_spread_over_the_workers():
    assert read_pool.chunk_size(24_005, 2) == 64
    assert read_pool.chunk_size(2_402, 2) == 64
    assert read_pool.chunk_size(800, 2) == 50
    assert read_pool.chunk_size(10, 4) == 1


def test_big_files_go_alone_to_one_worker_largest_first_while_the_other_reads_the_small(monkeypatch):
    big = read_pool.BIG_FILE_BYTES
    monkeypatch.setattr(read_pool, "MAX_CHUNK_FILES", 2)
    monkeypatch.setattr(read_pool, "CHUNKS_PER_WORKER", 1)  # runs of 2 small files
    #        0   1   2        3   4   5          6        7
    sizes = [10, 10, 2 * big, 10, 10, 10, 5 * big, 3 * big]
    chunks, big_chunks = read_pool.plan_chunks(sizes, workers=2)
    assert chunks == [[0, 1], [2], [3, 4], [5], [6], [7]]
    assert big_chunks == [4, 5, 1]  # 5×, 3×, 2× the threshold
    turns = read_pool._Turns(len(chunks), big_chunks, workers=2)
    a, b = turns.take(), turns.take()  # both workers start
    assert (a, b) == ((4, True), (0, False))
    assert turns.take() == (2, False)  # a third taker (the small-file worker again) while one is on a big file
    turns.done(True)
    assert turns.take() == (5, True)  # the big-file worker's next
    assert turns.take() == (3, False)  # the small-file worker's last
    assert turns.take() == (1, True)  # no small ones left: a second worker on big files
    assert turns.take() is None
    assert read_pool.plan_chunks([], workers=2) == ([], [])


def test_big_files_handed_out_first_still_come_back_in_file_order(src, always_parallel, monkeypatch):
    """The sample's survey and leads files count as big here: they are read first, merged in their place."""
    monkeypatch.setattr(read_pool, "BIG_FILE_BYTES", 20_000)
    serial_progress, parallel_progress = [], []
    serial = collect(sources(src), lambda *a: serial_progress.append(a), salt=SALT, profiles=[], workers=1)
    parallel = collect(sources(src), lambda *a: parallel_progress.append(a), salt=SALT, profiles=[], workers=2)
    sizes = sorted(p.stat().st_size for p in src.iterdir())
    assert sizes[-1] >= 20_000 > sizes[0]  # both kinds present
    assert comparable(parallel) == comparable(serial)
    assert parallel_progress == serial_progress


def test_a_chunks_rows_travel_as_one_table_and_come_back_as_each_files_rows():
    import pickle

    import pyarrow as pa

    from etl.build_result import FileResult
    from etl.collected import arrow_schema

    schema = arrow_schema("leads")

    def leads(*ids):
        return pa.Table.from_pylist([{"lead_id": i, "source_row": n + 2} for n, i in enumerate(ids)], schema=schema)

    ledger = pa.Table.from_pylist([{"problem_id": "P1"}], schema=arrow_schema("ledger_snapshots"))
    results = [FileResult(rows={"leads": leads("a", "b")}), FileResult(errors=["未导入"]),
               FileResult(rows={"leads": leads("c"), "ledger_snapshots": ledger}), FileResult(rows={"leads": leads()})]
    stripped, joined = read_pool.joined_rows(results)
    assert all(r.rows == {} for r in stripped) and results[0].rows  # the originals keep theirs
    assert joined["leads"][1] == [2, -1, 1, 0] and joined["ledger_snapshots"][1] == [-1, -1, 1, -1]
    back = read_pool.split_rows(*pickle.loads(pickle.dumps((stripped, joined))))
    assert [sorted(r.rows) for r in back] == [["leads"], [], ["leads", "ledger_snapshots"], ["leads"]]
    assert [r.rows["leads"].column("lead_id").to_pylist() for r in back if "leads" in r.rows] == [["a", "b"], ["c"], []]
    assert back[2].rows["ledger_snapshots"].equals(ledger) and back[1].errors == ["未导入"]
    assert [r.record_count() for r in back] == [r.record_count() for r in results]


class _CountedWorkers:
    """Every reading process the build starts, watched."""

    def __init__(self, monkeypatch):
        self.made: list = []
        real = read_pool._Worker
        made = self.made

        class Watched(real):
            def __init__(self):
                super().__init__()
                made.append(self)

        monkeypatch.setattr(read_pool, "_Worker", Watched)

    def running(self) -> int:
        return sum(w.proc.poll() is None for w in self.made)


def test_full_build_starts_its_workers_before_hashing_and_stops_them(src, tmp_path, monkeypatch):
    """A full build starts the reading processes before it hashes the files (their start-up overlaps the
    hashing), uses exactly those, and leaves none running."""
    import etl.build as build_module

    monkeypatch.setattr(read_pool, "PARALLEL_MIN_FILES", 3)
    workers = _CountedWorkers(monkeypatch)
    running_when_hashing = []
    real_plan = build_module._plan
    monkeypatch.setattr(build_module, "_plan", lambda *a: running_when_hashing.append(workers.running()) or real_plan(*a))
    result = build(sources(src), tmp_path / "db.duckdb", salt=SALT, profiles=[], workers=2)
    assert running_when_hashing == [2]
    assert len(workers.made) == 2 and workers.running() == 0
    assert comparable(result) == comparable(collect(sources(src), salt=SALT, profiles=[], workers=1))


def test_workers_started_early_are_stopped_when_the_build_fails(src, tmp_path, monkeypatch):
    import etl.build as build_module

    monkeypatch.setattr(read_pool, "PARALLEL_MIN_FILES", 3)
    workers = _CountedWorkers(monkeypatch)

    def unreadable(*args):
        raise PermissionError("无权读取")

    monkeypatch.setattr(build_module, "_plan", unreadable)
    with pytest.raises(PermissionError):
        build(sources(src), tmp_path / "db.duckdb", salt=SALT, profiles=[], workers=2)
    assert len(workers.made) == 2 and workers.running() == 0
    assert not (tmp_path / "db.duckdb").exists()


def test_an_update_in_place_starts_no_workers_early(src, tmp_path, monkeypatch):
    """With a database and a cache in place most files are not read again: no processes before the plan."""
    monkeypatch.setattr(read_pool, "PARALLEL_MIN_FILES", 3)
    db = tmp_path / "db.duckdb"
    build(sources(src), db, salt=SALT, profiles=[], workers=1, cache=True)
    workers = _CountedWorkers(monkeypatch)
    write_ledger(src / "临泉_手写台账_20230701.xlsx", "临泉县交通运输局", "2023年7月1日",
                 [["HW-02", "逐利执法", "乱罚款", "罚款后未开票据", "自查自纠", "立即纠正", "2023年7月30日前", "法规股", "已完成整改"]])
    result = build(sources(src), db, salt=SALT, profiles=[], workers=2, cache=True)
    assert result.updated_in_place and workers.made == []


@pytest.mark.parametrize("chunk_rows", [50_000, 7])
def test_rows_converted_per_chunk_equal_rows_converted_per_file(src, monkeypatch, chunk_rows):
    """A reading process converts a chunk's rows in one go (read_one(convert=False) + joined_rows): the tables
    are those of converting each file's rows on its own, also when a file's rows are partly converted already
    (chunk_rows 7: the sample's registers pass through Arrow chunks while being read)."""
    from etl import collected
    from etl import read_one as read_one_module
    from etl.build import input_files
    from etl.read_one import read_one

    monkeypatch.setattr(collected, "CHUNK_ROWS", chunk_rows)
    monkeypatch.setattr(read_one_module, "RECORD_BATCH", min(chunk_rows - 2, read_one_module.RECORD_BATCH))
    campaign = sources(src)[0].campaign
    paths = [p for p in input_files([src]) if not p.name.startswith("~$")]

    def read_all(convert: bool):
        memo: dict = {}
        return [read_one(campaign, p, "0" * 64, SALT, [], memo, convert=convert) for p in paths]

    per_file = read_all(True)
    per_chunk = read_all(False)
    assert all(r.rows == {} and r.collected for r in per_chunk if r.record_count() or r.collected)
    if chunk_rows == 7:  # some files' rows are in Arrow chunks and records at once
        assert any(c.chunks and c.pending for r in per_chunk for c in r.collected.values())
    one, joined_once = read_pool.joined_rows(per_file)
    other, joined_per_chunk = read_pool.joined_rows(per_chunk)
    assert joined_once.keys() == joined_per_chunk.keys() == {"ledger_snapshots", "leads", "survey_responses"}
    for name, (table, counts) in joined_once.items():
        assert joined_per_chunk[name][1] == counts
        assert joined_per_chunk[name][0].equals(table), name
    assert joined_once["leads"][0].num_rows > 100
    assert [(r.submissions, r.errors) for r in one] == [(r.submissions, r.errors) for r in other]
