"""Report formats: the text people and machines read, never a write anywhere else.

* ``render.release``: the pre-release risk report (terminal, Markdown, HTML, JSON).
* ``render.portfolio``: the portfolio summary (the same four, and Confluence storage format).
* ``render.review``: the PR security review (the bot's comments, SARIF).

Each format is a module implementing ``render.base.Renderer`` for its kind of report.
Import the submodule you need: this package imports nothing.
"""
