"""Resuming an interrupted backfill, and splitting one between workers.

  * SIGKILL mid-way (once the resume file shows at least one finished data file and before it
    shows all): the second run reads only the files not finished. Proven without trusting the
    summary: before the second run, every file the resume file calls finished is replaced by
    garbage (a read of it would fail verification, exit 74). The final set of rows, by
    `_eventId`, is complete and exact.
  * `--part 1/2` and `--part 2/2` together take every data file exactly once (index in
    manifest-files.json mod N == i − 1), each with its own default resume file.
"""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import check_rows, ddbcdc_binary, expected_rows, sink_rows

FIVE_MINUTES = 300_000


def finished_files(resume_path, names, export_id=None):
    """The data files (by name) the resume file records as finished (`{"exportId":…,"finished":
    [dataFileS3Key,…]}`); None while it is absent or being replaced. Fails on a name that is not
    one of the export's data files."""
    try:
        state = json.loads(Path(resume_path).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if export_id is not None:
        assert state["exportId"] == export_id, state
    done = {key.rsplit("/", 1)[-1] for key in state["finished"]}
    assert done <= names, f"the resume file names files the export does not have: {sorted(done - names)}"
    assert len(done) == len(state["finished"]), f"a file is recorded twice: {state['finished']}"
    return done


def test_sigkill_then_resume_reads_only_unfinished_files(ddbcdc, make_export, tmp_path):
    # A few MB of data lines in 24 files, so that the kill lands between files.
    report = make_export(items=6000, files=24, empty_files=2, seed=3)
    names = {f["name"] for f in report["files"]}
    expected = expected_rows(report, FIVE_MINUTES)
    sink, resume, work = tmp_path / "sink", tmp_path / "resume.json", tmp_path / "work"
    # The killed run cannot remove its temporary files: they stay in the test's folder, not in /tmp.
    work.mkdir()
    args = [str(ddbcdc_binary()), "backfill", "--export", report["exportDir"], "--sink", str(sink), "--quiet",
            "--resume-file", str(resume), "--concurrency", "1", "--max-records", "50", "--work-dir", str(work)]
    finished_at_kill = None
    for attempt in range(3):
        process = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120
            while process.poll() is None and time.monotonic() < deadline:
                done = finished_files(resume, names)
                if done and len(done) < len(names):
                    os.kill(process.pid, signal.SIGKILL)
                    break
                time.sleep(0.002)
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        if process.returncode == -signal.SIGKILL:
            finished_at_kill = finished_files(resume, names)
            break
        # It finished before a file was recorded and another was pending: start again from nothing.
        assert process.returncode == 0, process.stderr.read().decode()
        for p in (sink, resume):
            subprocess.run(["rm", "-rf", str(p)], check=True)
        assert not list(work.iterdir()), "a finished backfill left temporary files behind"
    assert finished_at_kill, "could not stop the backfill between two data files in three attempts"
    assert len(finished_at_kill) < len(names)

    # A file the resume file calls finished is never read again: make any read of it fail.
    data = Path(report["exportDir"]) / "data"
    for name in finished_at_kill:
        (data / name).write_bytes(b"this file was finished before the kill; reading it again is a bug\n")

    left_by_kill = set(work.iterdir())
    result = ddbcdc("backfill", "--export", report["exportDir"], "--sink", sink, "--quiet", "--resume-file", resume,
                    "--max-records", "50", "--work-dir", work, cwd=tmp_path)
    assert set(work.iterdir()) == left_by_kill, "the second run left temporary files of its own behind"
    assert finished_files(resume, names, report["exportId"]) == names, "after the second run every file is finished"
    # The summary counts what this run read: the unfinished files and their items, not the whole export.
    unfinished_items = sum(f["itemCount"] for f in report["files"] if f["name"] not in finished_at_kill)
    left, before = len(names) - len(finished_at_kill), len(finished_at_kill)
    summary = result.stdout + result.stderr
    want = f"{left} of {left} data file(s) finished ({before} finished before, skipped); {unfinished_items} items read"
    assert want in summary, f"the summary does not say '{want}':\n{summary}"

    # Every row, by _eventId, exactly (a file cut off by the kill may have left some rows twice).
    check_rows(sink, expected, copies=2)


def test_two_parts_cover_every_file_exactly_once(ddbcdc, make_export, tmp_path):
    report = make_export(items=200, files=5, empty_files=2, seed=9)
    export_id = report["exportId"]
    expected = expected_rows(report, FIVE_MINUTES)
    sinks = {}
    for part in (1, 2):
        sinks[part] = tmp_path / f"sink-{part}"
        ddbcdc("backfill", "--export", report["exportDir"], "--sink", sinks[part], "--part", f"{part}/2", "--quiet",
               cwd=tmp_path)
        assert (tmp_path / f"ddbcdc-backfill-{export_id}-part-{part}-of-2.resume.json").is_file()
    assert not (tmp_path / f"ddbcdc-backfill-{export_id}.resume.json").exists()
    # Index in manifest-files.json mod 2 == part − 1.
    for part in (1, 2):
        want = {f["name"] for i, f in enumerate(report["files"]) if i % 2 == part - 1 and f["itemCount"] > 0}
        got = {row["_eventId"].split("/")[1] for _, row in sink_rows(sinks[part])}
        assert got == want, (part, got, want)
    # Together: every row once (the same sink would hold both: the object names do not collide).
    together = tmp_path / "together"
    for part in (1, 2):
        for p in sinks[part].rglob("*"):
            if p.is_file():
                target = together / p.relative_to(sinks[part])
                assert not target.exists(), f"both parts wrote {target.relative_to(together)}"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(p.read_bytes())
    check_rows(together, expected)


def test_default_resume_file_and_a_finished_backfill_run_again_reads_nothing(ddbcdc, make_export, tmp_path):
    report = make_export(items=50, files=3, empty_files=1)
    sink = tmp_path / "sink"
    ddbcdc("backfill", "--export", report["exportDir"], "--sink", sink, "--quiet", cwd=tmp_path)
    resume = tmp_path / f"ddbcdc-backfill-{report['exportId']}.resume.json"
    names = {f["name"] for f in report["files"]}
    assert finished_files(resume, names) == names
    before = {p: p.stat().st_mtime_ns for p in sink.rglob("*") if p.is_file()}
    for f in report["files"]:  # any read of a data file would now fail
        Path(f["path"]).write_bytes(b"garbage")
    again = ddbcdc("backfill", "--export", report["exportDir"], "--sink", sink, "--quiet", cwd=tmp_path)
    assert f"0 of 0 data file(s) finished ({len(names)} finished before, skipped); 0 items read" in again.stdout + again.stderr
    after = {p: p.stat().st_mtime_ns for p in sink.rglob("*") if p.is_file()}
    assert before == after, "a finished backfill run again wrote objects"
    # --no-resume ignores the resume file: now the garbage is read, and fails.
    ddbcdc("backfill", "--export", report["exportDir"], "--sink", sink, "--quiet", "--no-resume", expect=74, cwd=tmp_path)


@pytest.mark.parametrize("part", ["0/2", "3/2", "1/0", "x/2", "2"])
def test_a_bad_part_is_a_usage_error(ddbcdc, make_export, tmp_path, part):
    report = make_export(items=5, files=1, empty_files=0)
    ddbcdc("backfill", "--export", report["exportDir"], "--sink", tmp_path / "sink", "--part", part, expect=64, cwd=tmp_path)
