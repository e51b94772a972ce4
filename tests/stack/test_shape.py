"""What the launcher starts, from the environment: web processes on one socket, a CPU
worker, a worker per GPU, the sweeper. (tests/playground/test_launcher.py starts it;
tests/stack/test_scale_out.py runs this shape with real processes.)"""

import os
import stat

import pytest

from playground.stack.supervisor import Stack

# The defaults, whatever this shell sets.
DEFAULTS = {
    "GPU_DEVICES": "",
    "WEB_PROCESSES": "",
    "WEB_PROXY_HEADERS": "",
    "GPU_SLOTS": "",
    "CELERY_QUEUE": "",
    "CELERY_GPU_QUEUE": "",
}


def stack(**env: str) -> Stack:
    return Stack(port=8123, env={**DEFAULTS, **env})


def test_by_default_it_runs_one_web_process_a_cpu_worker_and_the_sweeper():
    programs = stack().programs()
    assert list(programs) == ["worker", "web-1", "sweeper"]
    worker = programs["worker"]
    assert worker.argv[-4:] == ["-Q", "runs", "--hostname", "worker-8123@%h"]
    assert "--concurrency" not in worker.argv  # the machine's default (worker/slots.py)
    assert worker.env == {"CUDA_VISIBLE_DEVICES": ""}  # a CPU worker trains on the CPU
    assert programs["web-1"].listens and not worker.listens


def test_web_processes_share_one_socket():
    programs = stack(WEB_PROCESSES="3").programs()
    web = [name for name, program in programs.items() if program.listens]
    assert web == ["web-1", "web-2", "web-3"]
    assert all("--fd" in programs[name].argv for name in web)


def test_behind_a_proxy_the_web_processes_read_the_clients_address_from_it():
    assert "--proxy-headers" not in stack().programs()["web-1"].argv
    assert "--proxy-headers" in stack(WEB_PROXY_HEADERS="True").programs()["web-1"].argv
    with pytest.raises(ValueError, match="WEB_PROXY_HEADERS=yes, use 'True' or 'False'"):
        stack(WEB_PROXY_HEADERS="yes")


def test_each_gpu_gets_a_worker_of_its_own_with_its_slots():
    programs = stack(GPU_DEVICES="0, 2", GPU_SLOTS="4", CELERY_QUEUE="q").programs()
    assert [name for name in programs if name.startswith("gpu")] == ["gpu-worker-0", "gpu-worker-2"]
    gpu = programs["gpu-worker-2"]
    assert gpu.env == {"CUDA_VISIBLE_DEVICES": "2"}
    assert gpu.argv[-6:] == ["-Q", "q-gpu", "--hostname", "gpu2-8123@%h", "--concurrency", "4"]
    assert programs["worker"].argv[-4:-2] == ["-Q", "q"]


def test_without_gpu_devices_it_asks_nvidia_smi(tmp_path):
    fake = tmp_path / "nvidia-smi"
    fake.write_text("#!/bin/sh\nprintf '0\\n1\\n'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {k: v for k, v in os.environ.items() if k != "GPU_DEVICES"}
    found = Stack(port=8123, env={**env, "PATH": str(tmp_path)})
    assert found.gpus == ["0", "1"]
    alone = Stack(port=8123, env={**env, "PATH": str(tmp_path / "nothing-here")})
    assert alone.gpus == []


def test_a_group_name_stands_for_its_processes():
    two = stack(WEB_PROCESSES="2", GPU_DEVICES="0")
    assert two.names("web") == ["web-1", "web-2"]
    assert two.names("worker") == ["worker"]
    assert two.names("gpu-worker", "sweeper") == ["gpu-worker-0", "sweeper"]
    with pytest.raises(ValueError, match="no process named 'webs'"):
        two.names("webs")
    with pytest.raises(ValueError, match="there is no GPU to start a worker on"):
        stack().names("gpu-worker")


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_count_is_refused_with_a_sentence(value):
    with pytest.raises(ValueError, match=f"WEB_PROCESSES={value}, use a whole number of 1 or more"):
        stack(WEB_PROCESSES=value)
