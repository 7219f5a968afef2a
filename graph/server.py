"""The local Neo4j 5.26 Community server, started by the project itself without Docker.

The jars come from Maven Central through the machine's Maven; the server runs
`org.neo4j.server.CommunityEntryPoint` on Java 17/21 with the flags the official launcher passes,
listens on 127.0.0.1 only, and requires a password generated on first start (stored with mode 0600).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ownergraph.graph.errors import ServerError
from ownergraph.settings import Settings

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
]

POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>ownergraph</groupId>
  <artifactId>neo4j-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>neo4j</artifactId>
      <version>{version}</version>
    </dependency>
    <!-- the import tool's Parquet input (neo4j-admin database import, input type parquet: the bulk
         load) reads through Hadoop's configuration, whose dependencies the neo4j artifact leaves out -->
    <dependency>
      <groupId>com.fasterxml.woodstox</groupId>
      <artifactId>woodstox-core</artifactId>
      <version>7.2.2</version>
    </dependency>
    <dependency>
      <groupId>org.apache.commons</groupId>
      <artifactId>commons-collections4</artifactId>
      <version>4.6.0</version>
    </dependency>
    <dependency>
      <groupId>org.apache.hadoop.thirdparty</groupId>
      <artifactId>hadoop-shaded-guava</artifactId>
      <version>1.5.0</version>
    </dependency>
  </dependencies>
</project>
"""


@dataclass(frozen=True)
class Layout:
    """Where one local server keeps its files."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / "neo4j"

    @property
    def conf(self) -> Path:
        return self.home / "conf"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def run(self) -> Path:
        return self.home / "run"

    @property
    def pid_file(self) -> Path:
        return self.run / "ownergraph-neo4j.pid"

    @property
    def password_file(self) -> Path:
        return self.root / "neo4j-password"

    @property
    def console_log(self) -> Path:
        return self.logs / "console.log"


def layout(settings: Settings) -> Layout:
    return Layout(settings.data_dir.resolve())


def jar_dir(settings: Settings) -> Path:
    """Resolve the Neo4j jars with Maven once; later calls reuse the cache directory."""
    target = settings.jar_cache / f"neo4j-{settings.neo4j_version}"
    lib = target / "lib"
    marker = target / "resolved"
    pom = POM.format(version=settings.neo4j_version)
    resolved = f"{settings.neo4j_version} {hashlib.sha256(pom.encode()).hexdigest()[:16]}\n"
    if marker.exists() and marker.read_text() == resolved:  # resolved for this very POM
        return lib
    if shutil.which("mvn") is None:
        raise ServerError("Maven (mvn) is needed to fetch Neo4j from Maven Central and was not found on PATH")
    target.mkdir(parents=True, exist_ok=True)
    (target / "pom.xml").write_text(pom)
    staging = target / "lib.partial"
    shutil.rmtree(staging, ignore_errors=True)
    cmd = [
        "mvn", "-q", "-B", "-f", str(target / "pom.xml"), "dependency:copy-dependencies",
        f"-DoutputDirectory={staging}", "-DincludeScope=runtime",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise ServerError(f"Maven could not resolve org.neo4j:neo4j:{settings.neo4j_version}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    marker.write_text(resolved)
    return lib


def java_binary() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise ServerError("Java 17 or 21 is needed to run Neo4j and was not found (set JAVA_HOME or put java on PATH)")
    return found


def neo4j_conf(settings: Settings, paths: Layout) -> str:
    return "\n".join([
        "# Written by ownergraph; edits are overwritten at the next start.",
        "server.default_listen_address=127.0.0.1",
        "server.default_advertised_address=127.0.0.1",
        f"server.bolt.listen_address=127.0.0.1:{settings.bolt_port}",
        f"server.bolt.advertised_address=127.0.0.1:{settings.bolt_port}",
        "server.bolt.tls_level=DISABLED",
        "server.http.enabled=false",
        "server.https.enabled=false",
        "dbms.security.auth_enabled=true",
        "dbms.usage_report.enabled=false",
        "server.config.strict_validation.enabled=true",
        f"server.memory.heap.initial_size={settings.heap_size}",
        f"server.memory.heap.max_size={settings.heap_size}",
        f"server.memory.pagecache.size={settings.pagecache_size}",
        "db.tx_log.rotation.retention_policy=1 files",
        f"server.directories.data={paths.data}",
        f"server.directories.logs={paths.logs}",
        f"server.directories.run={paths.run}",
        f"server.directories.plugins={paths.home / 'plugins'}",
        f"server.directories.import={paths.home / 'import'}",
        "",
    ])


def read_pid(paths: Layout) -> int | None:
    """The running server's pid, or None; a stale pid file is removed."""
    try:
        pid = int(paths.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except (ProcessLookupError, PermissionError, FileNotFoundError):
        paths.pid_file.unlink(missing_ok=True)
        return None
    if ENTRY_POINT not in cmdline:
        paths.pid_file.unlink(missing_ok=True)
        return None
    return pid


def password(paths: Layout) -> str | None:
    try:
        return paths.password_file.read_text().strip()
    except FileNotFoundError:
        return None


def _java_cmd(settings: Settings, lib: Path, main: str, *args: str, heap: bool = True) -> list[str]:
    mem = [f"-Xms{settings.heap_size}", f"-Xmx{settings.heap_size}"] if heap else ["-Xmx256m"]
    return [java_binary(), *mem, *JVM_FLAGS, "-cp", f"{lib}/*", main, *args]


def _set_initial_password(settings: Settings, paths: Layout, lib: Path) -> None:
    secret = "og" + secrets.token_urlsafe(24)  # never starts with "-", which the admin tool reads as an option
    env = dict(os.environ, NEO4J_HOME=str(paths.home), NEO4J_CONF=str(paths.conf))
    cmd = _java_cmd(settings, lib, ADMIN_TOOL, "dbms", "set-initial-password", secret, heap=False)
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise ServerError(f"setting the initial Neo4j password failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    fd = os.open(paths.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")


def admin(settings: Settings, args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run Neo4j's admin tool (`neo4j-admin ARGS`) on the local server's home and configuration, with up
    to the server's heap (not taken up front); its output is returned. The configuration is written first,
    as `start` writes it."""
    paths = layout(settings)
    lib = jar_dir(settings)
    for folder in (paths.conf, paths.data, paths.logs, paths.run):
        folder.mkdir(parents=True, exist_ok=True)
    (paths.conf / "neo4j.conf").write_text(neo4j_conf(settings, paths))
    env = dict(os.environ, NEO4J_HOME=str(paths.home), NEO4J_CONF=str(paths.conf))
    cmd = [java_binary(), f"-Xmx{settings.heap_size}", *(f for f in JVM_FLAGS if f != "-XX:+AlwaysPreTouch"),
           "-cp", f"{lib}/*", ADMIN_TOOL, *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, stdin=subprocess.DEVNULL)


def free_port() -> int:
    """A loopback TCP port nothing listens on now (for a server or an API started beside another)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bolt_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def log_tail(paths: Layout, lines: int = 40) -> str:
    chunks = []
    for name in ("console.log", "neo4j.log"):
        path = paths.logs / name
        if path.exists():
            text = path.read_text(errors="replace").splitlines()[-lines:]
            chunks.append(f"--- {path} ---\n" + "\n".join(text))
    return "\n".join(chunks) or "(no Neo4j log was written)"


def uri(settings: Settings) -> str:
    return f"bolt://127.0.0.1:{settings.bolt_port}"


def start(settings: Settings) -> str:
    """Start the local server (or find it running) and return its Bolt URI once it answers."""
    from neo4j import GraphDatabase

    paths = layout(settings)
    if read_pid(paths) is not None:
        return uri(settings)
    if _bolt_open(settings.bolt_port):
        raise ServerError(f"port {settings.bolt_port} on 127.0.0.1 is taken by another process; set OWNERGRAPH_BOLT_PORT")
    lib = jar_dir(settings)
    for folder in (paths.conf, paths.data, paths.logs, paths.run, paths.home / "plugins", paths.home / "import"):
        folder.mkdir(parents=True, exist_ok=True)
    (paths.conf / "neo4j.conf").write_text(neo4j_conf(settings, paths))
    if password(paths) is None:
        _set_initial_password(settings, paths, lib)
    cmd = _java_cmd(settings, lib, ENTRY_POINT, f"--home-dir={paths.home}", f"--config-dir={paths.conf}")
    with open(paths.console_log, "ab") as console:
        proc = subprocess.Popen(cmd, stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=paths.home, start_new_session=True)
    paths.pid_file.write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + settings.start_timeout
    auth = (settings.neo4j_user, password(paths) or "")
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            paths.pid_file.unlink(missing_ok=True)
            raise ServerError(f"Neo4j exited with code {proc.returncode} during start\n{log_tail(paths)}")
        if _bolt_open(settings.bolt_port):
            try:
                with GraphDatabase.driver(uri(settings), auth=auth) as driver:
                    driver.verify_connectivity()
                return uri(settings)
            except Exception:  # still starting: Bolt accepts before the database is ready
                pass
        time.sleep(0.5)
    stop(settings)
    raise ServerError(f"Neo4j did not answer on {uri(settings)} within {settings.start_timeout:.0f} s\n{log_tail(paths)}")


def stop(settings: Settings, timeout: float = 60.0) -> bool:
    """SIGTERM the server and wait for it; returns False when none was running."""
    paths = layout(settings)
    pid = read_pid(paths)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        try:  # reap it when it is our child
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
    paths.pid_file.unlink(missing_ok=True)
    return True


def status(settings: Settings) -> dict:
    paths = layout(settings)
    pid = read_pid(paths)
    return {"running": pid is not None, "pid": pid, "uri": uri(settings), "home": str(paths.home)}


def reset(settings: Settings) -> None:
    """Stop the server and delete its data (the password and the jar cache are kept)."""
    paths = layout(settings)
    stop(settings)
    shutil.rmtree(paths.data, ignore_errors=True)
    # the password lives in the system database, which was just deleted
    paths.password_file.unlink(missing_ok=True)
