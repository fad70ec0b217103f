"""The demo organisation: Acme Pay's ``payments-api`` release 2.4.0, as compact data.

Everything the demo snapshot holds is defined here and nowhere else:

- ``org``: names, sites, people and the demo clock (``NOW``);
- ``code``: the repository at v2.3.0 and how each pull request changes it (patches are
  computed from before/after text, so every diff is a real unified diff);
- ``pulls``: the merged pull requests, reviews, checks, commits, deployments, CODEOWNERS;
- ``issues``: the Jira fix version 2.4.0 (project PAY, links to PLAT);
- ``pages``: the Confluence space PAY;
- ``aws``: CloudWatch alarms and a week of 5-minute metrics (loaded into moto);
- ``plan``: the ``terraform show -json`` plan the platform agent reads;
- ``cassettes``: writes ``cassettes/demo/*`` with the shape builders of
  ``scripts/make_*_cassettes.py``;
- ``replay``: runs the real connectors over those cassettes (and moto) and builds the
  snapshot; ``minimum``: the fewest requests a complete read can take.

The planted risks are listed in ``advisor/demo/planted.py`` (rendered in docs/demo.md).
"""
