"""The Docker deployment files are kept correct by reading them (no Docker engine runs here)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_runs_neo4j_lts_and_the_api_on_loopback_ports():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["neo4j"]["image"] == "neo4j:5.26-community"
    assert "neo4j-data:/data" in services["neo4j"]["volumes"]
    assert "healthcheck" in services["neo4j"]
    assert services["api"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert services["api"]["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    for service in services.values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{port} would listen beyond loopback"
    assert (ROOT / services["api"]["build"] / "Dockerfile").exists()


def test_dockerfile_copies_every_package():
    text = (ROOT / "Dockerfile").read_text()
    for package in ("graph", "loaders", "api", "cypher", "ownergraph"):
        assert f"COPY {package} ./{package}" in text
