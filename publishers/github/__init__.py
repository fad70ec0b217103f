"""The PR bot's writes to GitHub: a ``COMMENT`` review, inline comments, the summary
comment and a check run. ``client`` is the only code that sends them."""
