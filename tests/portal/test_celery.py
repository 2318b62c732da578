import pytest

from portal.celery import ping


@pytest.mark.worker
@pytest.mark.postgres
def test_it_round_trips_a_task_through_a_real_worker_and_redis(celery_worker_process):
    result = ping.delay("你好")
    assert result.get(timeout=20) == "你好"
