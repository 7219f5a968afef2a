"""The nightly refresh against a real Neo4j: three dated snapshots of a small registry are replayed
(a stake sold, a new Chinese parent, a company dissolved), and the verdicts as of each date, the change
log, the run history and the incremental recompute are checked."""

from __future__ import annotations

import json
import random
import threading
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from builders import Unclosed
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ownergraph.api.app import create_app
from ownergraph.graph import changes as change_log
from ownergraph.graph.evaluate import verdict
from ownergraph.graph.incremental import all_standings
from ownergraph.graph.materialise import materialise
from ownergraph.graph.policy import load_policy
from ownergraph.loaders.refresh import RefreshBusy, history, locked, read_state, refresh, said_before
from ownergraph.loaders.sources import ConfigError, RefreshSettings, load_config

D1, D2, D3 = date(2024, 1, 31), date(2024, 4, 30), date(2024, 7, 31)

ENTITIES = "id,name,kind,jurisdiction,headquarters,nationality,lists\n"
OWNERSHIP = "owner,owned,share,interest,start,end\n"

# the registry on 31 January 2024
S1_PARTIES = {
    "DRAGON": "Dragon Peak Holdings,company,KY,CN,,",
    "ALPHA": "Alpha Components GmbH,company,DE,DE,,",
    "BETA": "Beta Logistics B.V.,company,NL,NL,,",
    "ROGUE": "Rogue Trading LLC,company,AE,AE,,ofac-sdn",
    "GAMMA": "Gamma Shipping Ltd,company,CY,CY,,",
    "DELTA": "Delta Marine Ltd,company,MT,MT,,",
    "EURO": "Euro Holdings SE,company,FR,FR,,",
    "LOCAL": "Local Investors plc,company,GB,GB,,",
    "OMEGA": "Omega Sensors Ltd,company,GB,GB,,",
    "ZETA": "Zeta Trading Ltd,company,HK,HK,,",
    "ETA": "Eta Devices SRL,company,IT,IT,,",
}
S1_STAKES = [
    "DRAGON,ALPHA,60,,2020-01-01,",
    "ALPHA,BETA,100,,2020-01-01,",
    "ROGUE,GAMMA,55,,2019-05-01,",
    "GAMMA,DELTA,70,,2019-05-01,",
    "EURO,OMEGA,40,,2018-01-01,",
    "LOCAL,OMEGA,60,,2018-01-01,",
    "DRAGON,ZETA,80,,2021-01-01,",
    "ZETA,ETA,55,,2021-01-01,",
]


def snapshot(folder: Path, day: date, parties: dict[str, str], stakes: list[str]) -> None:
    target = folder / day.isoformat()
    target.mkdir(parents=True)
    (target / "entities.csv").write_text(ENTITIES + "".join(f"{k},{v}\n" for k, v in parties.items()))
    (target / "ownership.csv").write_text(OWNERSHIP + "".join(f"{s}\n" for s in stakes))


def registry(folder: Path) -> None:
    """Three snapshots of one registry."""
    snapshot(folder, D1, S1_PARTIES, S1_STAKES)
    # 30 April: Rogue sells most of its Gamma stake (55% -> 10%); Panda (headquartered in China) buys
    # Local's 60% of Omega
    s2_parties = {**S1_PARTIES, "PANDA": "Panda Capital Co Ltd,company,CN,CN,,"}
    del s2_parties["LOCAL"]
    s2_stakes = [s for s in S1_STAKES if not s.startswith(("ROGUE,GAMMA", "LOCAL,OMEGA"))]
    s2_stakes += ["ROGUE,GAMMA,10,,2019-05-01,", "PANDA,OMEGA,60,,,"]
    snapshot(folder, D2, s2_parties, s2_stakes)
    # 31 July: Zeta is dissolved and leaves the register, with its stakes
    s3_parties = {k: v for k, v in s2_parties.items() if k != "ZETA"}
    s3_stakes = [s for s in s2_stakes if "ZETA" not in s]
    snapshot(folder, D3, s3_parties, s3_stakes)


def write_config(path: Path, location: Path, policies=("cn-majority", "ofac-50"), **extra) -> Path:
    lines = ["policies: [" + ", ".join(policies) + "]", "sources:", "  - name: registry", "    format: csv",
             f"    location: {location}", "    schedule: '0 2 * * *'"]
    lines += [f"    {k}: {v}" for k, v in extra.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def status(store, party: str, policy: str, day: date) -> str:
    return verdict(store, party, policy, day).verdict


def standings(store, policy_name: str) -> dict[str, str]:
    """Every restricted or indeterminate party of the current materialised closure of a policy."""
    policy = load_policy(policy_name)
    info = store.run("closure/version_get", policy=policy.name)[0]
    return {k: v["status"] for k, v in all_standings(store, info["version"]).items()}


def full_standings(store, policy_name: str, day: date) -> dict[str, str]:
    """The same closure built from scratch (the current closure is replaced by it)."""
    materialise(store, load_policy(policy_name), day)
    return standings(store, policy_name)


@pytest.fixture(scope="module")
def replay(store, tmp_path_factory):
    """The registry replayed snapshot by snapshot, as three nightly runs."""
    store.clear()
    root = tmp_path_factory.mktemp("refresh")
    registry(root / "registry")
    settings = RefreshSettings(data_dir=root / "data")
    config = write_config(root / "ownergraph.yaml", root / "registry")
    runs, incremental = [], []
    for day in (D1, D2, D3):
        runs.append(refresh(settings, config, today=day, store=store))
        incremental.append({p: standings(store, p) for p in ("cn-majority", "ofac-50")})
    return {"settings": settings, "config": config, "runs": runs, "incremental": incremental, "root": root}


def test_each_run_applies_its_snapshot_and_succeeds(replay):
    runs = replay["runs"]
    assert [r.status for r in runs] == ["succeeded"] * 3, [r.error for r in runs]
    first, second, third = (r.sources[0] for r in runs)
    assert (first.snapshot, second.snapshot, third.snapshot) == (D1.isoformat(), D2.isoformat(), D3.isoformat())
    assert first.parties_new == 11 and first.stakes_new == 8
    # second: Panda and its stake are new, Rogue's stake changed, Local and its stake are gone
    assert second.parties_new == 1 and second.stakes_new == 1 and second.stakes_changed == 1
    assert second.parties_absent == 1 and second.stakes_ended == 2  # Local->Omega; Rogue's 55% period
    # third: Zeta and both its stakes are gone
    assert third.parties_absent == 1 and third.stakes_ended == 2 and third.stakes_new == 0


def test_verdicts_as_of_each_date(replay, store):
    # cn-majority: Omega becomes restricted when Panda buys in; Eta is clear once Zeta is dissolved
    assert [status(store, "OMEGA", "cn-majority", d) for d in (D1, D2, D3)] == ["clear", "restricted", "restricted"]
    assert [status(store, "ETA", "cn-majority", d) for d in (D1, D2, D3)] == ["restricted", "restricted", "clear"]
    assert [status(store, "BETA", "cn-majority", d) for d in (D1, D2, D3)] == ["restricted"] * 3
    # ofac-50 (OFAC FAQ 402): after the divestment Gamma and Delta are no longer blocked, but the verdict on
    # earlier dates stands
    assert [status(store, "GAMMA", "ofac-50", d) for d in (D1, D2, D3)] == ["restricted", "clear", "clear"]
    assert [status(store, "DELTA", "ofac-50", d) for d in (D1, D2 - timedelta(days=1), D2)] == \
        ["restricted", "restricted", "clear"]


def test_history_is_kept_not_deleted(replay, store):
    rows = store.driver.execute_query(
        "MATCH (o:Party)-[s:INTEREST]->(y:Party {key: 'csv:GAMMA'}) WHERE o.key = 'csv:ROGUE' "
        "RETURN s.share_min AS share, s.start AS start, s.end AS end ORDER BY s.start").records
    periods = [(r["share"], r["start"].to_native(), r["end"].to_native() if r["end"] else None) for r in rows]
    assert periods == [(55.0, date(2019, 5, 1), D2), (10.0, D2, None)]
    # the dissolved company, its name and its stakes are still there, ended on the snapshot date
    zeta = store.driver.execute_query(
        "MATCH (z:Party {key: 'csv:ZETA'}) OPTIONAL MATCH (z)-[s:INTEREST]-() "
        "RETURN z.name AS name, z.absent_from AS absent, collect(s.end) AS ends").records[0]
    assert zeta["name"] == "Zeta Trading Ltd" and zeta["absent"] == [f"registry@{D3.isoformat()}"]
    assert sorted(e.to_native() for e in zeta["ends"]) == [D3, D3]


def test_change_log_names_party_policy_old_new_date_run_and_cause(replay, store):
    runs = replay["runs"]
    log = change_log.changes_since(store, date(2000, 1, 1))
    found = {(c["party"]["id"], c["policy"], c["old"], c["new"], c["date"]) for c in log}
    assert found == {
        ("csv:PANDA", "cn-majority", "clear", "restricted", D2.isoformat()),  # a new party, a seed
        ("csv:OMEGA", "cn-majority", "clear", "restricted", D2.isoformat()),
        ("csv:ZETA", "cn-majority", "restricted", "clear", D3.isoformat()),  # dissolved: no longer held
        ("csv:GAMMA", "ofac-50", "restricted", "clear", D2.isoformat()),
        ("csv:DELTA", "ofac-50", "restricted", "clear", D2.isoformat()),
        ("csv:ETA", "cn-majority", "restricted", "clear", D3.isoformat()),
    }
    by_party = {c["party"]["id"]: c for c in log}
    assert by_party["csv:OMEGA"]["run"] == runs[1].id and by_party["csv:ETA"]["run"] == runs[2].id
    assert by_party["csv:OMEGA"]["party"]["name"] == "Omega Sensors Ltd"
    # the edges that caused it: the new Chinese stake into Omega; the sold stake for Gamma and Delta
    assert any("csv:PANDA|csv:OMEGA" in cause for cause in by_party["csv:OMEGA"]["causes"])
    assert any("csv:ROGUE|csv:GAMMA" in cause for cause in by_party["csv:DELTA"]["causes"])
    assert any("csv:ZETA|csv:ETA" in cause for cause in by_party["csv:ETA"]["causes"])
    # and the witness: the stake that made Omega restricted
    assert any(w.startswith("csv:PANDA|csv:OMEGA") for w in by_party["csv:OMEGA"]["witness"])


def test_incremental_recompute_equals_full_recompute(replay, store):
    # after each run, the incrementally kept closure equalled a full rebuild on the same date
    for day, kept in zip((D1, D2, D3), replay["incremental"]):
        for policy in ("cn-majority", "ofac-50"):
            assert kept[policy], (policy, day)
    closures = replay["runs"][2].closures
    assert {c["mode"] for c in closures} == {"incremental"}
    assert all(c["region"] < 11 for c in closures)  # only the parties below the change
    for policy in ("cn-majority", "ofac-50"):
        assert replay["incremental"][2][policy] == full_standings(store, policy, D3)


def test_a_second_run_with_nothing_new_changes_nothing(replay, store):
    counts = store.counts()
    before = len(change_log.changes_since(store, date(2000, 1, 1)))
    again = refresh(replay["settings"], replay["config"], today=D3, store=store)
    assert again.status == "succeeded" and again.sources == [] and again.changes == 0
    assert store.counts() == counts
    assert len(change_log.changes_since(store, date(2000, 1, 1))) == before


def test_history_lists_every_run_newest_first(replay, store):
    runs = history(store)
    assert [r["status"] for r in runs][:4] == ["succeeded"] * 4
    ids = [r["id"] for r in runs]
    assert ids.index(replay["runs"][2].id) < ids.index(replay["runs"][0].id)
    second = next(r for r in runs if r["id"] == replay["runs"][1].id)
    assert second["started"] <= second["ended"]
    assert second["sources"][0]["stakes_new"] == 1 and second["sources"][0]["snapshot"] == D2.isoformat()


def test_api_runs_and_changes(replay, store, tmp_path):
    app = create_app(replay["settings"], store=store)
    with TestClient(app, raise_server_exceptions=False) as client:
        runs = client.get("/v1/refresh/runs").json()
        assert runs["runs"][0]["status"] == "succeeded"
        assert {r["id"] for r in runs["runs"]} >= {r.id for r in replay["runs"]}
        changes = client.get("/v1/changes", params={"since": "2000-01-01"}).json()["changes"]
        assert {(c["party"]["id"], c["new"]) for c in changes} >= {("csv:OMEGA", "restricted"), ("csv:ETA", "clear")}
        only_ofac = client.get("/v1/changes", params={"since": "2000-01-01", "policy": "ofac-50"}).json()
        assert {c["party"]["id"] for c in only_ofac["changes"]} == {"csv:GAMMA", "csv:DELTA"}
        future = client.get("/v1/changes", params={"since": "2999-01-01"}).json()
        assert future["changes"] == []
        assert client.get("/v1/changes", params={"since": "yesterday"}).status_code == 422
        assert client.get("/v1/changes").status_code == 422
        # as_of on a past date keeps the verdict that stood then
        past = client.get("/v1/parties/GAMMA/verdict", params={"policy": "ofac-50", "as_of": D1.isoformat()})
        now = client.get("/v1/parties/GAMMA/verdict", params={"policy": "ofac-50", "as_of": D3.isoformat()})
        assert past.json()["verdict"] == "restricted" and now.json()["verdict"] == "clear"


def test_cli_history_and_as_of(replay, store, monkeypatch):
    from ownergraph import cli

    monkeypatch.setattr(cli, "_store", lambda: Unclosed(store))
    runner = CliRunner()
    shown = runner.invoke(cli.app, ["refresh", "--history", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)[0]["status"] == "succeeded"
    table = runner.invoke(cli.app, ["refresh", "--history"])
    assert table.exit_code == 0 and replay["runs"][2].id in table.output
    # a run from the command line with nothing new: it says so, moves the closures to today, succeeds
    monkeypatch.setenv("OWNERGRAPH_DATA_DIR", str(replay["root"] / "cli-data"))
    ran = runner.invoke(cli.app, ["refresh", "--config", str(replay["config"])])
    assert ran.exit_code == 0, ran.output
    assert "succeeded, 0 verdict changes" in ran.output and f"as of {date.today().isoformat()}" in ran.output
    assert history(store, 1)[0]["status"] == "succeeded"
    missing = runner.invoke(cli.app, ["refresh", "--config", str(replay["root"] / "nowhere.yaml")])
    assert missing.exit_code == 2 and "nowhere.yaml" in missing.output
    past = runner.invoke(cli.app, ["verdict", "DELTA", "--policy", "ofac-50", "--as-of", D1.isoformat(), "--json"])
    later = runner.invoke(cli.app, ["verdict", "DELTA", "--policy", "ofac-50", "--as-of", D3.isoformat(), "--json"])
    assert json.loads(past.output)["verdict"] == "restricted" and json.loads(later.output)["verdict"] == "clear"


# -- configuration, locking, webhook --------------------------------------------------------------

def test_config_is_validated(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - name: x\n    format: excel\n    location: /tmp\n")
    with pytest.raises(ConfigError, match="format"):
        load_config(bad)
    bad.write_text("sources:\n  - name: x\n    location: /tmp\n    schedule: 'every night'\n")
    with pytest.raises(ConfigError, match="cron"):
        load_config(bad)
    bad.write_text("sources:\n  - {name: x, location: a}\n  - {name: x, location: b}\n")
    with pytest.raises(ConfigError, match="unique"):
        load_config(bad)
    good = tmp_path / "good.yaml"
    good.write_text("sources:\n  - {name: psc, format: psc, location: psc, kind: delta}\n")
    config = load_config(good)
    assert config.sources[0].location == str(tmp_path / "psc") and config.sources[0].kind == "delta"


def test_two_refreshes_never_overlap(tmp_path, store):
    settings = RefreshSettings(data_dir=tmp_path)
    config = write_config(tmp_path / "c.yaml", tmp_path)
    with locked(settings):
        with pytest.raises(RefreshBusy):
            refresh(settings, config, today=D1, store=store)


def test_a_truncated_snapshot_is_refused_and_the_data_stays(tmp_path, store):
    store.clear()
    folder = tmp_path / "reg"
    snapshot(folder, D1, S1_PARTIES, S1_STAKES)
    snapshot(folder, D2, S1_PARTIES, S1_STAKES[:2])  # six of eight stakes missing: a cut-off file
    settings = RefreshSettings(data_dir=tmp_path / "data")
    config = write_config(tmp_path / "c.yaml", folder, policies=("cn-majority",))
    assert refresh(settings, config, today=D1, store=store).status == "succeeded"
    counts = store.counts()
    failed = refresh(settings, config, today=D2, store=store)
    assert failed.status == "failed" and "truncated" in failed.error
    assert store.counts() == counts
    assert status(store, "ETA", "cn-majority", D2) == "restricted"
    assert history(store, 1)[0]["status"] == "failed"


class _Hook(BaseHTTPRequestHandler):
    received: list = []
    fail_first = 0

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if _Hook.fail_first > 0:
            _Hook.fail_first -= 1
            self.send_response(503)
            self.end_headers()
            return
        _Hook.received.append(body)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook_gets_the_batch_with_retries_and_a_dead_webhook_never_fails_the_refresh(tmp_path, store):
    store.clear()
    folder = tmp_path / "reg"
    registry(folder)
    config = write_config(tmp_path / "c.yaml", folder, policies=("ofac-50",))
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        settings = RefreshSettings(data_dir=tmp_path / "data", refresh_webhook_url=url,
                                   refresh_webhook_backoff=0.01, refresh_webhook_attempts=3)
        assert refresh(settings, config, today=D1, store=store).status == "succeeded"
        _Hook.fail_first = 2  # two 503 answers, then it accepts
        run = refresh(settings, config, today=D2, store=store)
        assert run.status == "succeeded" and run.webhook["status"] == "delivered" and run.webhook["attempts"] == 3
        sent = [c for body in _Hook.received for c in body["changes"]]
        assert {(c["party"]["id"], c["old"], c["new"]) for c in sent} == {
            ("csv:GAMMA", "restricted", "clear"), ("csv:DELTA", "restricted", "clear")}
        assert _Hook.received[-1]["run"] == run.id
    finally:
        server.shutdown()
    # the webhook is gone: the refresh still succeeds, the failure is on the run's record
    dead = RefreshSettings(data_dir=tmp_path / "data", refresh_webhook_url=url, refresh_webhook_backoff=0.01,
                           refresh_webhook_attempts=2, refresh_webhook_timeout=1)
    run = refresh(dead, config, today=D3, store=store)
    assert run.status == "succeeded" and run.webhook["status"] in ("failed", "none")
    assert history(store, 1)[0]["status"] == "succeeded"


# -- incremental equals full on random graphs -----------------------------------------------------

def random_registry(folder: Path, seed: int, days: list[date], parties: int = 80) -> None:
    rng = random.Random(seed)
    countries = ["CN", "DE", "GB", "FR", "US", "NL"]
    people = {f"P{i}": f"Party {i},company,{c},{c},,{'ofac-sdn' if rng.random() < 0.05 else ''}"
              for i, c in ((i, rng.choice(countries)) for i in range(parties))}
    stakes: dict[tuple[str, str], int] = {}
    for _ in range(parties * 2):
        a, b = rng.sample(sorted(people), 2)
        stakes[(a, b)] = rng.choice([10, 25, 30, 50, 51, 60, 100])
    for day in days:
        # each night: a few stakes change, a few are sold, a few bought, a party may change country
        for key in rng.sample(sorted(stakes), 4):
            stakes[key] = rng.choice([5, 20, 49, 50, 51, 75])
        for key in rng.sample(sorted(stakes), 2):
            del stakes[key]
        for _ in range(3):
            a, b = rng.sample(sorted(people), 2)
            stakes[(a, b)] = rng.choice([30, 51, 70])
        moved = rng.choice(sorted(people))
        c = rng.choice(countries)
        people[moved] = f"Party {moved},company,{c},{c},,"
        snapshot(folder, day, people, [f"{a},{b},{v},,," for (a, b), v in sorted(stakes.items())])


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6, 7, 8])
def test_incremental_equals_full_on_random_registries(tmp_path, store, seed):
    store.clear()
    days = [date(2025, 1, 1) + timedelta(days=7 * i) for i in range(4)]
    random_registry(tmp_path / "reg", seed, days)
    settings = RefreshSettings(data_dir=tmp_path / "data")
    policies = ("cn-majority", "ofac-50")
    config = write_config(tmp_path / "c.yaml", tmp_path / "reg", policies=policies, max_drop=1.0)
    for day in days:
        run = refresh(settings, config, today=day, store=store)
        assert run.status == "succeeded", run.error
        kept = {p: standings(store, p) for p in policies}
        if day != days[0]:
            assert {c["mode"] for c in run.closures} == {"incremental"}
        for p in policies:
            assert kept[p] == full_standings(store, p, day), (p, day)
        # the local copy of what the source said equals the graph's record of it
        assert said_before(store, "registry", settings.data_dir / "refresh") == read_state(store, "registry")


# -- scheduling -----------------------------------------------------------------------------------

def test_scheduler_runs_on_its_cron_one_run_at_a_time_and_a_second_scheduler_refuses(tmp_path, store,
                                                                                      neo4j_server):
    from ownergraph.loaders.refresh import SCHEDULER_LOCK, run_scheduled

    store.clear()
    folder = tmp_path / "reg"
    snapshot(folder, D1, S1_PARTIES, S1_STAKES)
    uri, user, secret = neo4j_server
    settings = RefreshSettings(data_dir=tmp_path / "data", NEO4J_URI=uri, NEO4J_USER=user,
                               NEO4J_PASSWORD=secret or None)
    config = write_config(tmp_path / "c.yaml", folder, policies=("cn-majority",))
    assert run_scheduled(settings, "* * * * * */2", config=config, max_runs=2) == 2  # every 2 s (seconds field)
    runs = history(store, 5)
    assert [r["status"] for r in runs[:2]] == ["succeeded", "succeeded"]
    assert runs[1]["sources"][0]["snapshot"] == D1.isoformat() and runs[0]["sources"] == []  # nothing new
    started = [datetime.fromisoformat(r["started"]) for r in runs[:2]]
    assert (started[0] - started[1]).total_seconds() >= 1  # the second run waited for its slot
    with locked(settings, SCHEDULER_LOCK):
        with pytest.raises(RefreshBusy):
            run_scheduled(settings, "* * * * * */2", config=config, max_runs=1)
    with pytest.raises(ValueError, match="cron"):
        run_scheduled(settings, "at two", config=config, max_runs=1)


def test_compose_has_a_refresh_scheduler_service():
    import yaml

    compose = yaml.safe_load((Path(__file__).resolve().parents[1] / "docker-compose.yml").read_text())
    service = compose["services"]["refresh"]
    assert service["command"][:2] == ["ownergraph", "refresh"] and "--schedule" in service["command"]
    assert service["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    assert service["depends_on"]["neo4j"]["condition"] == "service_healthy"
    # the lock that keeps two schedulers apart lives on a volume, not in a throwaway container layer
    assert any(v.endswith(":" + service["environment"]["OWNERGRAPH_DATA_DIR"]) for v in service["volumes"])
    assert not service.get("ports")
