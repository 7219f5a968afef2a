"""The Docker deployment files are kept correct by reading them (no Docker engine runs here)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
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


def test_the_docker_context_leaves_out_benchmarks_tests_and_local_state():
    ignored = _ignore_patterns()
    for name in (".venv", ".ownergraph", "test-artifacts", "benchmarks", "tests", "api/web/node_modules"):
        assert _ignored(name, ignored), f"{name} would go into the Docker build context"
    copied = {Path(source).parts[0] for source, _ in _copies()}
    assert "benchmarks" not in copied and "tests" not in copied


@pytest.mark.slow
def test_the_wheel_built_from_what_the_dockerfile_copies_installs_and_runs(tmp_path):
    """The image's `pip install .`, done here without Docker: exactly the files the Dockerfile copies (as the
    build context has them after .dockerignore, links kept), built into a wheel and installed in a new venv."""
    context = tmp_path / "app"
    _copy_as_docker(context)
    dist = tmp_path / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                  "--wheel-dir", str(dist), str(context)], cwd=tmp_path)
    assert built.returncode == 0, built.stdout[-3000:]
    wheel, = dist.glob("ownergraph-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        files = archive.namelist()
    outside = [f for f in files if not f.startswith("ownergraph/") and ".dist-info/" not in f]
    assert not outside, f"the wheel installs files outside ownergraph/: {outside[:10]}"
    for needed in ("ownergraph/cli.py", "ownergraph/graph/store.py", "ownergraph/loaders/refresh/run.py",
                   "ownergraph/cypher/refresh/state_read.cypher", "ownergraph/api/app.py"):
        assert needed in files, f"{needed} is missing from the wheel"
    assert not [f for f in files if f.startswith(("ownergraph/benchmarks", "benchmarks/"))]

    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path).returncode == 0
    python = venv / "bin" / "python"
    installed = _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)], cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout[-3000:]
    # the dependencies come from the test environment; ownergraph itself only from the wheel
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path)
    (Path(site.stdout.strip()) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = _run([str(python), "-c", "import ownergraph.cli, ownergraph.cypher as c; print(ownergraph.cli.__file__);"
                  " print(len(c.names()))"], cwd=tmp_path)
    assert where.returncode == 0, where.stdout[-3000:]
    module, statements = where.stdout.split()
    assert Path(module).is_relative_to(venv) and int(statements) > 50
    shown = _run([str(venv / "bin" / "ownergraph"), "--help"], cwd=tmp_path)
    assert shown.returncode == 0, shown.stdout[-3000:]
    assert "serve" in shown.stdout and "load" in shown.stdout


def _copies() -> list[tuple[str, str]]:
    """(source, destination) of every COPY line of the Dockerfile, destinations relative to WORKDIR."""
    out = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        words = shlex.split(line, comments=True)
        if not words or words[0].upper() != "COPY":
            continue
        words = [w for w in words[1:] if not w.startswith("--")]
        assert not any(w.startswith("[") for w in words), "COPY in JSON form is not read by this test"
        *sources, target = words
        for source in sources:
            into = target.endswith("/") or len(sources) > 1
            out.append((source, str(Path(target) / Path(source).name) if into else target))
    assert out, "the Dockerfile copies nothing"
    return out


def _ignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(relative: str, patterns: list[str]) -> bool:
    """Whether the build context leaves `relative` out, as Docker reads .dockerignore: a pattern matches the
    path or one of its folders (`*` within a name, `**` across folders); the last matching pattern decides,
    and `!` brings a path back."""
    parts = Path(relative).parts
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    out = False
    for pattern in patterns:
        glob = pattern.removeprefix("!").strip("/")
        regex = re.escape(glob).replace(r"\*\*/", "(.*/)?").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        if any(re.fullmatch(regex, prefix) for prefix in prefixes):
            out = not pattern.startswith("!")
    return out


def _copy_as_docker(context: Path) -> None:
    """Copy what the Dockerfile copies into `context`, as `docker build` would: links stay links."""
    patterns = _ignore_patterns()
    for source, target in _copies():
        origin = ROOT / source
        assert origin.exists() and not _ignored(source, patterns), f"the Dockerfile copies {source}, not in the context"
        destination = context / target
        if origin.is_file():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination)
            continue
        for folder, dirs, files in os.walk(origin):
            here = Path(folder)
            rel = here.relative_to(ROOT)
            dirs[:] = [d for d in dirs if not _ignored(str(rel / d), patterns)]
            (destination / here.relative_to(origin)).mkdir(parents=True, exist_ok=True)
            for name in [*dirs, *files]:
                path = here / name
                if _ignored(str(rel / name), patterns) or (name in dirs and not path.is_symlink()):
                    continue
                copy = destination / here.relative_to(origin) / name
                if path.is_symlink():
                    copy.symlink_to(os.readlink(path))
                else:
                    shutil.copy2(path, copy)
            dirs[:] = [d for d in dirs if not (here / d).is_symlink()]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=False, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)
