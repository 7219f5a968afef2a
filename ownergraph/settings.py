"""One settings object for the whole product, read from the environment (and a .env file).

Every field has a default and a comment; the README lists them. Inject it, never mutate it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OWNERGRAPH_", env_file=".env", extra="ignore")

    # Where the local Neo4j (jars, configuration, data, logs, password) lives.
    data_dir: Path = Path(".ownergraph")
    # Neo4j release started by `ownergraph db start` (resolved from Maven Central).
    neo4j_version: str = "5.26.30"
    # Resolved Neo4j jars, shared by every data directory of this user (Maven's own cache is ~/.m2).
    jar_cache: Path = Path.home() / ".cache" / "ownergraph"
    # Bolt port of the local Neo4j; it listens on 127.0.0.1 only.
    bolt_port: int = 7687
    # JVM heap and page cache of the local Neo4j (a 2-core, 24 GiB machine by default).
    heap_size: str = "4g"
    pagecache_size: str = "4g"
    # Seconds to wait for Bolt to answer after start.
    start_timeout: float = 120.0
    # Rows per UNWIND batch when loading.
    batch_size: int = 5000
    # Longest JSON record (a line, or an item of an array) a load reads, in MiB; a longer one is rejected.
    max_record_mb: int = 8
    # External Neo4j: when NEO4J_URI is set, the local server is not used.
    neo4j_uri: str | None = Field(default=None, validation_alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", validation_alias="NEO4J_USER")
    neo4j_password: str | None = Field(default=None, validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", validation_alias="NEO4J_DATABASE")
    # API server: loopback unless told otherwise.
    host: str = "127.0.0.1"
    port: int = 8000
    # API: require an API key (`ownergraph keys create`) on every /v1 request; off for the local demo.
    api_keys_required: bool = False
    # API: largest request body accepted, in bytes.
    api_max_body_bytes: int = 5_000_000
    # API: most rows one screening request may hold.
    api_max_screen_rows: int = 1000

    @property
    def external(self) -> bool:
        return bool(self.neo4j_uri)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
