from config.celery import app as celery_app
from config.celery import ping
from tests.waiting import wait_until


def test_a_real_worker_on_redis_runs_a_task_and_returns_its_result(start_worker):
    worker = start_worker()

    result = ping.delay()

    assert not celery_app.conf.task_always_eager
    assert result.get(timeout=30) == "pong"
    # The worker logs success just after storing the result: give its log a moment.
    wait_until(
        lambda: f"Task config.ping[{result.id}] succeeded" in worker.log_path.read_text(),
        message=lambda: f"the worker to log the task's success:\n{worker.log_tail(2000)}",
    )
