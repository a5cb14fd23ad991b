"""The Slurm cluster's configuration, without starting it."""

from __future__ import annotations

from containers._slurm import free_ports, login_command, slurm_conf, srun_command


def test_every_daemon_listens_on_loopback_on_its_own_port() -> None:
    ports = free_ports(3)
    assert len(set(ports)) == 3
    conf = slurm_conf("kp", ["kp-node1", "kp-node2"], ports, cpus=2)
    assert f"SlurmctldHost=kp-ctl(127.0.0.1)\nSlurmctldPort={ports[0]}\n" in conf
    for node, port in zip(["kp-node1", "kp-node2"], ports[1:], strict=True):
        assert f"NodeName={node} NodeHostname={node} NodeAddr=127.0.0.1 Port={port} CPUs=2" in conf
    assert "MpiDefault=pmi2" in conf and "AuthType=auth/munge" in conf


def test_jobs_start_on_the_login_node_as_nobody() -> None:
    command = login_command("kp-ctl", srun_command(2, 1, ["kernelperf", "run"]))
    assert command[:7] == ["docker", "exec", "-i", "-u", "65534:65534", "-w", "/kp/share"]
    assert command[7:] == [
        "kp-ctl", "srun", "-N", "2", "--ntasks-per-node", "1", "--mpi=pmi2", "kernelperf", "run",
    ]  # fmt: skip
