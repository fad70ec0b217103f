"""Infrastructure-as-code rules shared by the security and platform agents.

``terraform_rules`` holds pure functions over a plain dict of resource attributes, so
the same rules run on parsed ``.tf`` sources (``hcl``), on ``terraform show -json`` plans
(``plan``) and, line by line, on diff hunks when neither is available (``terraform_lines``).
``checkov`` reads a team's existing checkov report as an extra input.
"""

from agents.iac.resources import TerraformResource

__all__ = ["TerraformResource"]
