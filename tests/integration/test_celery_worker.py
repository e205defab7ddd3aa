import time

from config.celery import app as celery_app
from config.celery import ping


def test_a_real_worker_on_redis_runs_a_task_and_returns_its_result(start_worker):
    worker = start_worker()

    result = ping.delay()

    assert not celery_app.conf.task_always_eager
    assert result.get(timeout=30) == "pong"
    # The worker logs success just after storing the result: give its log a moment.
    deadline = time.monotonic() + 10
    while f"Task config.ping[{result.id}] succeeded" not in worker.log_path.read_text():
        assert time.monotonic() < deadline, worker.log_path.read_text()[-2000:]
        time.sleep(0.1)
