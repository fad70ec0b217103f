"""Build the demo organisation: cassettes, Terraform plan and snapshot, from scripts/demo_org.

1. Write ``cassettes/demo/{github,jira,confluence}/release.yaml`` (GitHub's bodies start
   from its OpenAPI examples in ``../shared``, so this step needs that folder).
2. Replay GitHub through the real connector, ask the security agent's extractor which
   dependency versions changed, and write ``cassettes/demo/osv/release.yaml`` for them.
3. Write ``advisor/demo/terraform-plan.json``.
4. Write the planted-risk table of docs/demo.md from ``advisor/demo/planted.py``.
5. Run ``build_snapshot`` with the real connectors over the cassettes (vcrpy, record mode
   none) and CloudWatch in moto, and write ``advisor/demo/release-snapshot.json.gz``.

The snapshot is deterministic (fixed demo clock): every run gives the same content hash.

    .venv/bin/python scripts/build_demo.py                  # everything
    .venv/bin/python scripts/build_demo.py --snapshot-only  # step 5 from committed cassettes
    .venv/bin/python scripts/build_demo.py --check          # step 5, compare, write nothing
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]  # the project, and the make_* scripts

from advisor.demo import demo_plan_path, demo_snapshot_path  # noqa: E402
from connectors.snapshot import load_snapshot  # noqa: E402
from scripts.demo_org import cassettes, minimum, plan  # noqa: E402
from scripts.demo_org.replay import build_demo_snapshot, replay_github  # noqa: E402


def write_cassettes() -> None:
    from agents.registry import release_dependency_packages

    print(f"github: {cassettes.write_github()} interactions")
    print(f"jira: {cassettes.write_jira()} interactions")
    print(f"confluence: {cassettes.write_confluence()} interactions")
    packages = release_dependency_packages(replay_github())
    print(f"osv: {cassettes.write_osv(packages)} interactions for "
          f"{', '.join(str(p) for p in packages)}")


def write_plan() -> None:
    text = json.dumps(plan.terraform_plan(), indent=2, sort_keys=False) + "\n"
    demo_plan_path().write_text(text, encoding="utf-8")
    print(f"plan: {demo_plan_path().relative_to(ROOT)}")


DOC = ROOT / "docs" / "demo.md"
START, END = "<!-- planted:start", "<!-- planted:end -->"


def documented_table(text: str) -> str:
    """The planted-risk table between the markers of docs/demo.md."""
    _, _, rest = text.partition(START)
    return rest.partition("-->\n")[2].partition(END)[0] if rest else ""


def write_doc_table() -> None:
    from advisor.demo.planted import markdown_table

    text = DOC.read_text(encoding="utf-8")
    old = documented_table(text)
    marker = text[text.index(START):].partition("-->\n")[0] + "-->\n"
    text = text.replace(marker + old + END, marker + markdown_table() + END)
    DOC.write_text(text, encoding="utf-8")
    print(f"table: {DOC.relative_to(ROOT)}")


def report(snapshot: object) -> None:
    from connectors.snapshot import Snapshot

    assert isinstance(snapshot, Snapshot)
    body = snapshot.body
    osv = body.osv
    packages = [(p.package.name, p.package.version) for p in osv.packages] if osv else []
    least = minimum.minimum(packages)
    print(f"content hash {snapshot.content_hash}")
    print(f"{'source':<11} {'requests':>8} {'minimum pages':>13}  gaps")
    for prov in body.provenance:
        need = sum(pages for _, pages in least.get(prov.source, []))
        print(f"{prov.source:<11} {prov.requests:>8} {need:>13}  {len(prov.gaps)}")
        for what, pages in least.get(prov.source, []):
            print(f"{'':<13}{pages:>4}  {what}")
        for gap in prov.gaps:
            print(f"{'':<13}gap: {gap.what}: {gap.why}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--snapshot-only", action="store_true",
                      help="rebuild the snapshot from the committed cassettes")
    mode.add_argument("--check", action="store_true",
                      help="rebuild in memory and compare with the committed snapshot")
    args = parser.parse_args()
    if not (args.snapshot_only or args.check):
        write_cassettes()
        write_plan()
        write_doc_table()
    snapshot, _ = build_demo_snapshot()
    report(snapshot)
    if args.check:
        committed = load_snapshot(demo_snapshot_path())
        same = committed.content_hash == snapshot.content_hash
        print("committed snapshot is " + ("up to date" if same else
                                          f"STALE ({committed.content_hash})"))
        return 0 if same else 1
    snapshot.write(demo_snapshot_path())
    print(f"wrote {demo_snapshot_path().relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
