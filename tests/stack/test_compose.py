"""docker-compose.yml runs the scaled-out shape: web processes on one socket, a CPU worker,
a GPU worker per GPU with the GPUs reserved, the sweeper, migrations once, and a restart
policy on every service. (Compose itself is not run here; its commands are the
launcher's, which tests/stack/test_scale_out.py runs.)"""

import shlex

import pytest
import yaml

from playground.stack.supervisor import BASE_DIR, Stack

COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_restarts_when_it_stops(name):
    assert SERVICES[name]["restart"] in ("unless-stopped", "on-failure")


@pytest.mark.parametrize(
    ("service", "processes"),
    [
        ("web", ["web-1", "web-2"]),
        ("worker", ["worker"]),
        ("gpu-worker", ["gpu-worker-0", "gpu-worker-1"]),
    ],
)
def test_each_app_service_runs_the_launchers_processes(service, processes):
    command = shlex.split(SERVICES[service]["command"])
    assert command[:3] == ["python", "-m", "playground.stack"]
    shape = Stack(port=8000, env={"WEB_PROCESSES": "2", "GPU_DEVICES": "0,1"})
    assert shape.names(*command[3:]) == processes


def test_the_gpu_workers_get_the_gpus_and_only_with_the_gpu_profile():
    gpu = SERVICES["gpu-worker"]
    (devices,) = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices["driver"] == "nvidia" and devices["capabilities"] == ["gpu"]
    assert gpu["profiles"] == ["gpu"]
    assert all("deploy" not in SERVICES[name] for name in SERVICES if name != "gpu-worker")


def test_nothing_reads_a_table_before_the_migrations_ran():
    assert SERVICES["migrate"]["command"] == "python manage.py migrate --no-input"
    for name in ("web", "worker", "gpu-worker", "sweeper"):
        assert SERVICES[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
