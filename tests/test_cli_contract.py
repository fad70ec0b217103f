"""Every command, every class of bad input: one line on stderr, exit code 2, nothing new on
record (no report, no run, no audit entry) and nothing already recorded lost.

The classes: a bad flag value, an unwritable output, a missing file or directory, a file
where a directory is wanted, a malformed configuration file, an unsupported database URL,
a corrupt database, a huge integer. Each case runs the real command line in-process
(``advisor.cli.main``), as a user types it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from advisor.context import open_controls
from advisor.settings import load_settings
from tests.cli import ROLES, run_cli

DIFF = """\
diff --git a/app/db.py b/app/db.py
new file mode 100644
--- /dev/null
+++ b/app/db.py
@@ -0,0 +1,2 @@
+def find(conn, name):
+    return conn.execute("SELECT * FROM t WHERE n = '%s'" % name)
"""
HUGE = "99999999999999999999"
UNWRITABLE = "/proc/advisor-contract-test/out"  # not even root can create this


@dataclass
class World:
    """What a case may refer to: ``{afile}``, ``{diff}``, ``{report}``, ``{bad_yaml}``…"""

    tmp: Path
    home: Path
    names: dict[str, str] = field(default_factory=dict)

    def fill(self, argv: list[str]) -> list[str]:
        return [a.format(**self.names) for a in argv]


def recorded() -> tuple[int, int, int]:
    controls = open_controls(load_settings())
    return (len(controls.registry.list(limit=10_000)), len(controls.runs.list(limit=10_000)),
            controls.audit.count())


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          isolated_environment: Path) -> World:
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES)
    monkeypatch.setenv("ADVISOR_ROLES_FILE", str(roles))
    monkeypatch.setenv("LOGNAME", "ada")
    monkeypatch.setenv("USER", "ada")
    monkeypatch.setenv("COLUMNS", "120")
    # Something on record already: a report, a run, audit entries. None of it may go.
    controls = open_controls(load_settings())
    seed = controls.registry.register("release", "acme/pay v1...v2", {"summary": "seed"}, "ci")
    controls.runs.start("seed-run", "release", subject="acme/pay v1...v2", actor="ci")
    controls.kill_switch.set("ada", "publishing", True, "drill")
    controls.kill_switch.set("ada", "publishing", False, "drill over")
    afile = tmp_path / "a-file.txt"
    afile.write_text("not a directory\n")
    diff = tmp_path / "change.diff"
    diff.write_text(DIFF)
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("roles:\n\tadmin: [ada]\n")  # YAML forbids a tab as indentation
    config_dir = tmp_path / "bad-config"
    config_dir.mkdir()
    (config_dir / "advisor.yaml").write_text("log_level: INFO\n\thome: /tmp\n")
    corrupt = tmp_path / "corrupt-home"
    corrupt.mkdir()
    (corrupt / "advisor.db").write_bytes(b"this is not a SQLite database\n" * 64)
    world = World(tmp_path, isolated_environment, {
        "afile": str(afile), "diff": str(diff), "report": seed.id, "bad_yaml": str(bad_yaml),
        "config_dir": str(config_dir), "corrupt": str(corrupt), "tmp": str(tmp_path),
        "missing": str(tmp_path / "missing" / "deeper"), "huge": HUGE,
        "unwritable": UNWRITABLE})
    return world


@dataclass(frozen=True)
class Case:
    argv: list[str]
    expect: str = ""  # a piece of the one line
    env: dict[str, str] = field(default_factory=dict)


def case(*argv: str, expect: str = "", **env: str) -> Case:
    return Case(list(argv), expect, env)


# Each command, invoked so that it would otherwise get as far as opening the store.
STORE_COMMANDS: dict[str, list[str]] = {
    "release-report": ["release-report", "--demo", "--quiet"],
    "portfolio-summary": ["portfolio-summary", "--demo", "--projects", "PAY", "--quiet"],
    "security-review": ["security-review", "--diff", "{diff}", "--quiet"],
    "signoff": ["signoff", "{report}", "--approve", "--comment", "ok"],
    "publish": ["publish", "{report}"],
    "reports list": ["reports", "list"],
    "reports show": ["reports", "show", "{report}"],
    "reports export": ["reports", "export", "{report}", "--format", "json"],
    "runs list": ["runs", "list"],
    "runs show": ["runs", "show", "seed-run"],
    "runs resume": ["runs", "resume", "seed-run"],
    "db init": ["db", "init"],
    "audit list": ["audit", "list"],
    "audit show": ["audit", "show", "1"],
    "audit verify": ["audit", "verify"],
    "audit head": ["audit", "head"],
    "audit export": ["audit", "export"],
    "killswitch on": ["killswitch", "on", "--reason", "x"],
    "killswitch off": ["killswitch", "off", "--reason", "x"],
    "killswitch status": ["killswitch", "status"],
    "whoami": ["whoami"],
    "serve": ["serve"],
}

# Commands that write files, with everything but --output valid.
OUTPUT_COMMANDS: dict[str, list[str]] = {
    "release-report": ["release-report", "--demo", "--format", "md", "--quiet"],
    "portfolio-summary": ["portfolio-summary", "--demo", "--projects", "PAY", "--format", "md",
                          "--quiet"],
    "security-review": ["security-review", "--diff", "{diff}", "--format", "json", "--quiet"],
    "snapshot": ["snapshot", "--repo", "acme/pay", "--base", "v1", "--head", "v2"],
    "audit export": ["audit", "export"],
    "reports export": ["reports", "export", "{report}", "--format", "json"],
}

CASES: dict[str, Case] = {}
for name, argv in STORE_COMMANDS.items():
    CASES[f"unsupported database URL: {name}"] = case(
        *argv, expect="unsupported database URL", ADVISOR_DATABASE_URL="mysql://u@db/advisor")
    CASES[f"corrupt database: {name}"] = case(
        *argv, expect="file is not a database", ADVISOR_HOME="{corrupt}")
    CASES[f"malformed roles file: {name}"] = case(
        *argv, expect="bad.yaml:2:1:", ADVISOR_ROLES_FILE="{bad_yaml}")
    CASES[f"malformed advisor.yaml: {name}"] = case(
        *argv, expect="advisor.yaml:2:1:", ADVISOR_CONFIG_DIR="{config_dir}")
    CASES[f"unusable data directory: {name}"] = case(
        *argv, expect="cannot create the data directory", ADVISOR_HOME="{unwritable}")
for name, argv in OUTPUT_COMMANDS.items():
    CASES[f"unwritable output: {name}"] = case(*argv, "-o", "{unwritable}",
                                               expect="--output: cannot create directory")
    CASES[f"file where a directory is wanted: {name}"] = case(
        *argv, "-o", "{afile}", expect="is not a directory")
    CASES[f"/dev/null as the output directory: {name}"] = case(
        *argv, "--output", "/dev/null", expect="is not a directory")
    CASES[f"a directory under a file: {name}"] = case(
        *argv, "-o", "{afile}/sub", expect="--output: cannot create directory")
CASES.update({
    # bad flag values
    "release-report --format pdf": case("release-report", "--demo", "--format", "pdf",
                                        expect="--format: unknown pdf"),
    "release-report --fail-on loud": case("release-report", "--demo", "--fail-on", "loud",
                                          expect="--fail-on"),
    "release-report --agents finance": case("release-report", "--demo", "--agents", "finance",
                                            expect="--agents: unknown finance"),
    "release-report two sources": case("release-report", "--demo", "--snapshot", "{afile}",
                                       expect="choose one source"),
    "release-report -o - with two formats": case("release-report", "--demo", "--format",
                                                 "md,json", "-o", "-", expect="exactly one"),
    "portfolio-summary --period 14": case("portfolio-summary", "--demo", "--projects", "PAY",
                                          "--period", "14", expect="--period"),
    "portfolio-summary without --projects": case("portfolio-summary", "--demo",
                                                 expect="--projects is required"),
    "security-review --format html": case("security-review", "--diff", "{diff}", "--format",
                                          "html", expect="--format: unknown html"),
    "security-review --repo garbage": case("security-review", "--repo", "not a repo", "--pr",
                                           "1", expect="--repo: expected OWNER/NAME"),
    "security-review --post without a PR": case("security-review", "--diff", "{diff}",
                                                "--post", expect="--post needs"),
    "snapshot --format zip": case("snapshot", "--repo", "acme/pay", "--base", "v1", "--head",
                                  "v2", "--format", "zip", expect="--format"),
    "snapshot with nothing to fetch": case("snapshot", expect="nothing to fetch"),
    "snapshot -o looks like a file": case("snapshot", "--repo", "acme/pay", "--base", "v1",
                                          "--head", "v2", "-o", "{tmp}/snap.json.gz",
                                          expect="looks like a file name"),
    "signoff both decisions": case("signoff", "{report}", "--approve", "--reject", "--comment",
                                   "x", expect="exactly one"),
    "signoff empty comment": case("signoff", "{report}", "--approve", "--comment", "  ",
                                  expect="--comment"),
    "signoff without --comment": case("signoff", "{report}", "--approve",
                                      expect="--comment"),
    "signoff unknown report": case("signoff", "rel-nope", "--approve", "--comment", "x",
                                   expect="unknown report id"),
    "publish unknown report": case("publish", "rel-nope", expect="unknown report id"),
    "reports list --kind foo": case("reports", "list", "--kind", "foo", expect="--kind"),
    "reports list --status foo": case("reports", "list", "--status", "foo",
                                      expect="--status"),
    "reports list --limit 0": case("reports", "list", "--limit", "0", expect="--limit"),
    "reports list --format xml": case("reports", "list", "--format", "xml",
                                      expect="--format"),
    "reports show without an id": case("reports", "show", expect="REPORT_ID"),
    "runs list --status foo": case("runs", "list", "--status", "foo", expect="--status"),
    "runs list --format yaml": case("runs", "list", "--format", "yaml", expect="--format"),
    "runs show unknown": case("runs", "show", "nope", expect="unknown run id"),
    "runs resume unknown": case("runs", "resume", "nope", expect="unknown run id"),
    "reports export --format pdf": case("reports", "export", "{report}", "--format", "pdf",
                                        expect="--format"),
    "db init --bogus": case("db", "init", "--bogus", expect="--bogus"),
    "db roles-sql bad role name": case("db", "roles-sql", "--owner", "a b;drop",
                                       expect="a b;drop"),
    "audit list --format csv": case("audit", "list", "--format", "csv", expect="--format"),
    "audit show abc": case("audit", "show", "abc", expect="SEQ"),
    "audit show 0": case("audit", "show", "0", expect="SEQ"),
    "audit verify --expect-head garbage": case("audit", "verify", "--expect-head", "garbage",
                                               expect="--expect-head: not an audit head"),
    "audit export --format csv": case("audit", "export", "--format", "csv", expect="--format"),
    "audit export --since yesterday": case("audit", "export", "--since", "yesterday",
                                           expect="--since"),
    "audit export -o looks like a file": case("audit", "export", "-o", "{tmp}/out.jsonl",
                                              expect="looks like a file name"),
    "killswitch on --agent finance": case("killswitch", "on", "--reason", "x", "--agent",
                                          "finance", expect="--agent"),
    "killswitch on without a reason": case("killswitch", "on", "--reason", "  ",
                                           expect="--reason"),
    "killswitch off two scopes": case("killswitch", "off", "--reason", "x", "--agent",
                                      "security", "--publishing", expect="not both"),
    "killswitch status --format xml": case("killswitch", "status", "--format", "xml",
                                           expect="--format"),
    "whoami --bogus": case("whoami", "--bogus", expect="--bogus"),
    "schedule run --bogus": case("schedule", "run", "--bogus", expect="--bogus"),
    "serve --port 0": case("serve", "--port", "0", expect="--port"),
    "serve --log-level loud": case("serve", "--log-level", "loud", expect="--log-level"),
    "serve without a webhook secret": case("serve", expect="GITHUB_WEBHOOK_SECRET"),
    "an unknown command": case("frobnicate", expect="frobnicate"),
    # missing files and directories
    "release-report --snapshot missing": case("release-report", "--snapshot",
                                              "{missing}/x.json", expect="no such file"),
    "release-report --repo-path missing": case("release-report", "--demo", "--repo-path",
                                               "{missing}", expect="no such directory"),
    "release-report --coverage missing": case("release-report", "--demo", "--coverage",
                                              "{missing}/c.xml", expect="no such file"),
    "release-report --plan missing": case("release-report", "--demo", "--plan",
                                          "{missing}/plan.json", expect="no such file"),
    "portfolio-summary --snapshot missing": case("portfolio-summary", "--projects", "PAY",
                                                 "--snapshot", "{missing}/x.json",
                                                 expect="no such file"),
    "security-review --diff missing": case("security-review", "--diff", "{missing}/x.diff",
                                           expect="no such file"),
    "security-review --repo-path missing": case("security-review", "--repo-path", "{missing}",
                                                "--base", "a", "--head", "b",
                                                expect="no such directory"),
    "security-review --config missing": case("security-review", "--diff", "{diff}",
                                             "--config", "{missing}/bot.yaml",
                                             expect="--config: no such file"),
    "schedule list --file missing": case("schedule", "list", "--file", "{missing}/s.yaml",
                                         expect="not found"),
    "schedule run --file missing": case("schedule", "run", "--file", "{missing}/s.yaml",
                                        expect="not found"),
    "serve --config missing": case("serve", "--config", "{missing}/bot.yaml",
                                   expect="--config: no such file"),
    # a file where a directory is wanted, and the other way round
    "release-report --repo-path a file": case("release-report", "--demo", "--repo-path",
                                              "{afile}", expect="is not a directory"),
    "security-review --repo-path a file": case("security-review", "--repo-path", "{afile}",
                                               "--base", "a", "--head", "b",
                                               expect="no such directory"),
    "release-report --snapshot a directory": case("release-report", "--snapshot", "{tmp}",
                                                  expect="is a directory"),
    # malformed configuration files named on the command line
    "release-report --snapshot not a snapshot": case("release-report", "--snapshot",
                                                     "{afile}", expect="a-file.txt"),
    "security-review --config malformed": case("security-review", "--diff", "{diff}",
                                               "--config", "{bad_yaml}", expect="bad.yaml:2:1:"),
    "schedule list --file malformed": case("schedule", "list", "--file", "{bad_yaml}",
                                           expect="bad.yaml:2:1:"),
    # huge integers
    "audit show huge": case("audit", "show", HUGE, expect="SEQ"),
    "audit list --limit huge": case("audit", "list", "--limit", HUGE, expect="--limit"),
    "reports list --limit huge": case("reports", "list", "--limit", HUGE, expect="--limit"),
    "runs list --limit huge": case("runs", "list", "--limit", HUGE, expect="--limit"),
    "security-review --pr huge": case("security-review", "--repo", "acme/shop", "--pr", HUGE,
                                      expect="--pr"),
    "serve --port huge": case("serve", "--port", HUGE, expect="--port"),
    "signoff a huge id": case("signoff", HUGE, "--approve", "--comment", "x",
                              expect="unknown report id"),
    "runs show a huge id": case("runs", "show", HUGE, expect="unknown run id"),
})


@pytest.fixture(autouse=True)
def never_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    """A serve case that got past its checks would block on a port: fail it instead."""
    import uvicorn

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("advisor serve started with bad input")

    monkeypatch.setattr(uvicorn, "run", refuse)


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_line_exit_2_and_nothing_recorded(
        name: str, world: World, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    bad = CASES[name]
    before = recorded()
    corrupt = Path(world.names["corrupt"], "advisor.db").read_bytes()
    if bad.argv[0] == "serve" and "GITHUB_WEBHOOK_SECRET" not in bad.expect:
        monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "s3cret")
    with monkeypatch.context() as patched:  # the environment of this one command
        for key, value in bad.env.items():
            patched.setenv(key, value.format(**world.names))
        code, _, err = run_cli(patched, capsys, *world.fill(bad.argv))
    lines = err.strip().splitlines()
    assert (code, len(lines)) == (2, 1), err
    assert lines[0].startswith("advisor: error: "), err
    assert bad.expect.format(**world.names) in lines[0], err
    assert "Traceback" not in err
    assert recorded() == before  # nothing new, nothing lost
    assert Path(world.names["corrupt"], "advisor.db").read_bytes() == corrupt
    assert not Path(UNWRITABLE).exists()


def test_every_command_is_in_the_table() -> None:
    """A new command must join the table: list every leaf command the CLI has."""
    from typer.main import get_command

    from advisor.cli import app

    def leaves(command: object, prefix: str = "") -> Iterator[str]:
        children = getattr(command, "commands", None)
        if not children:
            yield prefix.strip()
            return
        for name, child in children.items():
            yield from leaves(child, f"{prefix} {name}")

    tested = {" ".join(c.argv[:2]) if c.argv[0] in _GROUPS else c.argv[0]
              for c in CASES.values()}
    missing = sorted(set(leaves(get_command(app))) - tested)
    assert missing == []


_GROUPS = {"audit", "db", "killswitch", "reports", "runs", "schedule"}


def test_the_seeded_store_verifies_after_every_kind_of_refusal(
        world: World, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """What the table's cases leave behind is a chain that still verifies."""
    for name in ("release-report --format pdf", "audit show huge", "signoff both decisions"):
        run_cli(monkeypatch, capsys, *world.fill(CASES[name].argv))
    code, out, _ = run_cli(monkeypatch, capsys, "audit", "verify")
    assert code == 0 and "chain intact" in out

