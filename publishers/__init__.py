"""Publishers: the only code that writes outside the advisor, separate from the read-only
connectors. Each has its own client and credential and asks the publishing kill switch
before every write.

* ``publishers.github``: the PR bot's comments, one ``COMMENT`` review and check runs
  (``post.py`` decides what to post; docs/security-review.md). It never approves or
  blocks a pull request.
* ``publishers.confluence``: the portfolio summary page.

Import the submodule you need: this package imports nothing, so one publisher's
dependencies never load with another's.
"""
