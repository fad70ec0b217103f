"""The production plan of v2.4.0, as ``terraform show -json tfplan`` prints it (format 1.2).

PAY-134's edit of ``infra/rds.tf`` turns storage encryption off, which AWS cannot do in
place: the plan replaces the payments database (and deletion protection goes with it).
The bastion, the 2025 vault key and the log retention are ordinary changes; someone
also opened the DB security group by hand, which shows as ``resource_drift``.
"""

from __future__ import annotations

import copy
from typing import Any

from scripts.demo_org.org import AWS_ACCOUNT, AWS_REGION

PROVIDER = "registry.terraform.io/hashicorp/aws"
ARN = f"arn:aws:{{}}:{AWS_REGION}:{AWS_ACCOUNT}:{{}}"

DB_BEFORE: dict[str, Any] = {
    "allocated_storage": 100, "allow_major_version_upgrade": None,
    "arn": ARN.format("rds", "db:payments-prod"), "backup_retention_period": 14,
    "db_subnet_group_name": "payments-prod", "deletion_protection": True,
    "engine": "postgres", "engine_version": "15.7", "id": "db-6YQ2NLKXN3S4JQ7V",
    "identifier": "payments-prod", "instance_class": "db.r6g.large",
    "kms_key_id": ARN.format("kms", "key/5c1e7f0a-9d3b-4e61-8f2a-1b7c9e0d4a55"),
    "manage_master_user_password": True, "multi_az": True, "skip_final_snapshot": False,
    "storage_encrypted": True, "storage_type": "gp3", "tags": {"data": "pci",
                                                              "service": "payments-api"},
    "username": "payments", "vpc_security_group_ids": ["sg-0b1c7e5a2f3d4e6a8"],
}
DB_AFTER = {**DB_BEFORE, "arn": None, "id": None, "kms_key_id": None,
            "storage_encrypted": False, "deletion_protection": False,
            "backup_retention_period": 1, "skip_final_snapshot": True}

BASTION_SG: dict[str, Any] = {
    "description": "SSH to the DB maintenance bastion", "name": "payments-bastion",
    "vpc_id": "vpc-0a4f1c2b3d5e6f708", "revoke_rules_on_delete": False, "tags": None,
    "ingress": [{"cidr_blocks": ["0.0.0.0/0"], "description": "SSH for DB maintenance",
                 "from_port": 22, "ipv6_cidr_blocks": [], "prefix_list_ids": [],
                 "protocol": "tcp", "security_groups": [], "self": False, "to_port": 22}],
    "egress": [{"cidr_blocks": ["0.0.0.0/0"], "description": "", "from_port": 0,
                "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "-1",
                "security_groups": [], "self": False, "to_port": 0}],
}
BASTION: dict[str, Any] = {
    "ami": "ami-0d64bb532e0502c46", "instance_type": "t3.micro",
    "key_name": "payments-ops", "subnet_id": "subnet-0e2a7b9c1d3f5a6b7",
    "tags": {"Name": "payments-bastion", "service": "payments-api"},
}
VAULT_KEY = {"deletion_window_in_days": 30, "description": "Card vault data key (2025)",
             "enable_key_rotation": True, "is_enabled": True}
DB_SG_RULE = {"cidr_blocks": [], "description": "app", "from_port": 5432,
              "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "tcp",
              "security_groups": ["sg-0f3e2d1c0b9a8f7e6"], "self": False, "to_port": 5432}
DB_SG: dict[str, Any] = {"id": "sg-0b1c7e5a2f3d4e6a8", "name": "payments-db",
                         "vpc_id": "vpc-0a4f1c2b3d5e6f708", "ingress": [DB_SG_RULE]}


def _change(address: str, actions: list[str], before: Any, after: Any,
            unknown: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    kind, name = address.split(".")
    return {
        "address": address, "mode": "managed", "type": kind, "name": name,
        "provider_name": PROVIDER, **more,
        "change": {
            "actions": actions, "before": before, "after": after,
            "after_unknown": unknown or {}, "before_sensitive": {} if before else False,
            "after_sensitive": {} if after else False,
        },
    }


def terraform_plan() -> dict[str, Any]:
    changes = [
        _change("aws_db_instance.payments", ["delete", "create"], DB_BEFORE, DB_AFTER,
                {"arn": True, "id": True, "endpoint": True, "address": True},
                action_reason="replace_because_cannot_update"),
        _change("aws_security_group.bastion", ["create"], None, BASTION_SG,
                {"arn": True, "id": True, "owner_id": True}),
        _change("aws_instance.bastion", ["create"], None, BASTION,
                {"arn": True, "id": True, "private_ip": True, "vpc_security_group_ids": True}),
        _change("aws_kms_key.vault_2025", ["create"], None, VAULT_KEY,
                {"arn": True, "id": True, "key_id": True}),
        _change("aws_kms_alias.vault", ["update"],
                {"name": "alias/payments-vault", "target_key_id": "1f0e2d3c-vault-2024"},
                {"name": "alias/payments-vault", "target_key_id": None},
                {"target_key_id": True}),
        _change("aws_cloudwatch_log_group.payments_api", ["update"],
                {"name": "/ecs/payments-api", "retention_in_days": 30},
                {"name": "/ecs/payments-api", "retention_in_days": 90}),
    ]
    changes[0]["change"]["replace_paths"] = [["storage_encrypted"], ["kms_key_id"]]
    drifted = copy.deepcopy(DB_SG)
    drifted["ingress"].append({**DB_SG_RULE, "cidr_blocks": ["10.20.0.0/16"],
                               "description": "temp vpn access", "security_groups": []})
    drift = [_change("aws_security_group.db", ["update"], DB_SG, drifted)]
    planned = [
        {"address": c["address"], "mode": "managed", "type": c["type"], "name": c["name"],
         "provider_name": PROVIDER, "schema_version": 1,
         "values": {k: v for k, v in (c["change"]["after"] or {}).items() if v is not None},
         "sensitive_values": {}}
        for c in changes
    ]
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": {
            "environment": {"value": "prod"}, "aws_region": {"value": AWS_REGION},
            "db_engine_version": {"value": "15.7"}, "db_instance_class": {"value": "db.r6g.large"},
            "db_multi_az": {"value": True}, "log_retention_days": {"value": 90},
        },
        "planned_values": {"root_module": {"resources": planned}},
        "resource_drift": drift,
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER,
                                        "expressions": {"region": {"references":
                                                                   ["var.aws_region"]}}}},
            "root_module": {"resources": [
                {"address": c["address"], "mode": "managed", "type": c["type"],
                 "name": c["name"], "provider_config_key": "aws", "schema_version": 1}
                for c in changes
            ]},
        },
        "timestamp": "2025-03-18T08:41:07Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }
