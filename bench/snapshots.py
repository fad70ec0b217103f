"""Synthetic release snapshots for the analysis benchmark.

GitHub and Jira come from the real connectors reading the replay server (benchmark 1
saves them as it goes). OSV is answered from the changed packages the snapshot builder
would ask about (``release_dependency_packages``), with the demo's advisory records
where a package matches (``jinja2 2.11.2``) and none elsewhere. Confluence and CloudWatch
do not grow with a release's PR count: the demo organisation's are reused when present
(``advisor/demo``), so the platform agent has alarms and series to read.
"""

from __future__ import annotations

from pathlib import Path

from bench.context import Context
from bench.org import Size
from connectors.osv.models import OsvResult, PackageVulnerabilities, Vulnerability
from connectors.provenance import SourceProvenance
from connectors.snapshot import Snapshot, SnapshotBody, load_snapshot


def _demo() -> SnapshotBody | None:
    try:
        from advisor.demo import demo_snapshot_path
    except ImportError:
        return None
    path = demo_snapshot_path()
    return load_snapshot(path).body if path.exists() else None


def save_analysis_snapshot(snapshot: Snapshot, folder: Path, size: Size) -> Path:
    from agents.registry import release_dependency_packages

    body = snapshot.body
    assert body.github is not None
    demo = _demo()
    known: dict[str, list[Vulnerability] | None] = {}
    if demo is not None and demo.osv is not None:
        known = {str(p.package): p.vulnerabilities for p in demo.osv.packages}
    packages = release_dependency_packages(body.github)
    osv = OsvResult(packages=[PackageVulnerabilities(package=p, vulnerabilities=known.get(
        str(p), [])) for p in packages])
    provenance = [*body.provenance, SourceProvenance(source="osv",
                                                     asked={"packages": len(packages)})]
    extra: dict[str, object] = {"osv": osv}
    if demo is not None:
        extra.update(confluence=demo.confluence, cloudwatch=demo.cloudwatch)
        provenance += [p for p in demo.provenance if p.source in ("confluence", "cloudwatch")]
    sealed = Snapshot.seal(body.model_copy(update={**extra, "provenance": provenance}))
    path = folder / f"snapshot-{size.prs}.json"
    sealed.write(path)
    return path


def analysis_snapshot(ctx: Context, size: Size) -> Path:
    """The size's snapshot file, built through the replay server if benchmark 1 did not."""
    if size not in ctx.snapshots:
        from bench.api import build

        built = build(ctx.server(size))
        ctx.snapshots[size] = save_analysis_snapshot(built.snapshot, ctx.workdir, size)
    return ctx.snapshots[size]
