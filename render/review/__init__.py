"""The PR security review as text: the bot's Markdown comments and SARIF 2.1.0."""
