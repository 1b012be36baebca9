from __future__ import annotations

import threading

from PySide6.QtCore import QObject

from labelapp.gui.workers import LatestTask, run_task


def test_run_task_delivers_on_the_gui_thread(qtbot):
    receiver = QObject()
    seen = {}

    def done(result, error):
        seen.update(result=result, error=error, thread=threading.current_thread())

    run_task(lambda: threading.current_thread().name, done, receiver)
    qtbot.waitUntil(lambda: "result" in seen, timeout=5000)
    assert seen["thread"] is threading.main_thread()
    assert seen["result"] != threading.main_thread().name and seen["error"] is None


def test_run_task_hands_errors_to_the_callback(qtbot):
    seen = {}
    receiver = QObject()
    run_task(lambda: 1 / 0, lambda r, e: seen.update(error=e), receiver)
    qtbot.waitUntil(lambda: "error" in seen, timeout=5000)
    assert isinstance(seen["error"], ZeroDivisionError)


def test_latest_task_drops_stale_results(qtbot):
    task = LatestTask(delay_ms=0)
    release = threading.Event()
    results = []
    task.done.connect(lambda result, error: results.append(result))

    def slow():
        release.wait(5)
        return "old"

    task.request(slow, immediately=True)
    task.request(lambda: "new", immediately=True)
    qtbot.waitUntil(lambda: results == ["new"], timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: not task.busy, timeout=5000)
    assert results == ["new"]


def test_latest_task_runs_the_first_request_at_once_and_coalesces_a_burst(qtbot):
    task = LatestTask(delay_ms=150)
    ran = []
    task.done.connect(lambda result, error: ran.append(result))
    task.request(lambda: 1)  # after a pause: runs at once
    assert task.busy
    for n in (2, 3, 4):  # a burst: only the last one runs
        task.request(lambda n=n: n)
    qtbot.waitUntil(lambda: bool(ran) and ran[-1] == 4 and not task.busy, timeout=5000)
    assert 2 not in ran and 3 not in ran
