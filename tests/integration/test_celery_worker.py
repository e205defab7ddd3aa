from config.celery import ping


def test_a_real_worker_on_redis_runs_a_task_and_returns_its_result(start_worker):
    worker = start_worker()

    result = ping.delay()

    assert result.get(timeout=30) == "pong"
    assert f"Task config.ping[{result.id}] succeeded" in worker.log_path.read_text()
