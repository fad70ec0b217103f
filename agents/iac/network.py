"""Network exposure in Terraform: what opens a port to the internet, on AWS, Azure and GCP.

"The internet" is any source range that is not inside private or reserved address
space and is at least as wide as a /8 (IPv4) or /32 (IPv6): ``0.0.0.0/0`` and ``::/0``,
but also ``0.0.0.0/1`` or ``10.0.0.0/7`` (which is 10/8 *and* the public 11/8), and the
provider spellings ``*``, ``Internet`` and ``Any``. A narrower public range (an office's
/24) is a deliberate choice, not flagged. Ports: only-web rules (``web_ports``) are fine.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from agents.iac.attributes import RuleHit, RuleSettings, blocks, is_false, present, strings
from agents.models import Severity

__all__ = ["exposes_internet", "network_exposure", "public_address", "wide_ports"]

_NAMED = frozenset({"*", "internet", "any", "0.0.0.0"})  # noqa: S104 (a value we look for)
_PRIVATE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
    "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128"))
_ALL_PROTOCOLS = frozenset({"-1", "all", "*", "any"})


def exposes_internet(source: str) -> bool:
    text = source.strip().strip('"')
    if text.lower() in _NAMED:
        return True
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    private = [p for p in _PRIVATE if p.version == network.version]
    if any(network.subnet_of(p) for p in private):  # type: ignore[arg-type]
        return False
    return network.prefixlen <= (8 if network.version == 4 else 32)


def _port_range(text: str) -> tuple[int, int] | None:
    low, _, high = text.strip().partition("-")
    try:
        return int(low), int(high or low)
    except ValueError:
        return None


def wide_ports(ports: list[str], web: frozenset[int]) -> bool:
    """True when the ranges open anything beyond the web ports (or every port)."""
    if not ports:
        return True  # no ports named: every port
    for text in ports:
        if text.strip() in ("*", "-1", "0-65535", ""):
            return True
        bounds = _port_range(text)
        if bounds is None or bounds[1] - bounds[0] + 1 > len(web):
            return True
        if any(port not in web for port in range(bounds[0], bounds[1] + 1)):
            return True
    return False


def _hit(attribute: str, provider: str, sources: list[str], every: bool,
         needle: str | None = None) -> RuleHit:
    where = ", ".join(sorted(set(sources)))
    ports = "every port" if every else "non-web ports"
    return RuleHit("network-exposure", attribute, f"{provider} rule admits {where} on {ports}",
                   Severity.CRITICAL if every else Severity.HIGH, needle=needle or sources[0])


def _nacl_rules(rtype: str, attrs: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    if rtype == "aws_network_acl_rule":
        return [] if attrs.get("egress") is True else [("", attrs)]
    if rtype in ("aws_network_acl", "aws_default_network_acl"):
        return [(f"ingress[{i}]", b) for i, b in enumerate(blocks(attrs.get("ingress")))]
    return []


def _aws_nacl(rtype: str, attrs: Mapping[str, Any], web: frozenset[int]) -> Iterator[RuleHit]:
    for prefix, rule in _nacl_rules(rtype, attrs):
        action = str(rule.get("rule_action", rule.get("action", ""))).lower()
        sources = [c for key in ("cidr_block", "ipv6_cidr_block") for c in strings(rule.get(key))
                   if exposes_internet(c)]
        if action != "allow" or not sources:
            continue
        every = str(rule.get("protocol", "")).lower() in _ALL_PROTOCOLS
        low, high = rule.get("from_port"), rule.get("to_port")
        ports = [f"{low}-{high}"] if low is not None and high is not None else []
        if every or wide_ports(ports, web):
            yield _hit(f"{prefix}.cidr_block" if prefix else "cidr_block", "network ACL",
                       sources, every)


def _azure_rules(rtype: str, attrs: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    if rtype == "azurerm_network_security_rule":
        return [("", attrs)]
    if rtype == "azurerm_network_security_group":
        found = blocks(attrs.get("security_rule"))
        return [(f"security_rule[{i}]", b) for i, b in enumerate(found)]
    return []


def _azure_nsg(rtype: str, attrs: Mapping[str, Any], web: frozenset[int]) -> Iterator[RuleHit]:
    for prefix, rule in _azure_rules(rtype, attrs):
        if (str(rule.get("direction", "")).lower() != "inbound"
                or str(rule.get("access", "")).lower() != "allow"):
            continue
        sources = [s for key in ("source_address_prefix", "source_address_prefixes")
                   for s in strings(rule.get(key)) if exposes_internet(s)]
        if not sources:
            continue
        ports = [p for key in ("destination_port_range", "destination_port_ranges")
                 for p in strings(rule.get(key))]
        every = str(rule.get("protocol", "")).lower() in _ALL_PROTOCOLS and (
            not ports or "*" in ports)
        if every or wide_ports(ports, web):
            attribute = "source_address_prefix"
            yield _hit(f"{prefix}.{attribute}" if prefix else attribute, "NSG", sources, every)


def _gcp_firewall(rtype: str, attrs: Mapping[str, Any], web: frozenset[int]) -> Iterator[RuleHit]:
    if rtype != "google_compute_firewall" or attrs.get("disabled") is True:
        return
    if str(attrs.get("direction", "INGRESS")).upper() != "INGRESS":
        return
    sources = [s for s in strings(attrs.get("source_ranges")) if exposes_internet(s)]
    allows = blocks(attrs.get("allow"))
    if not sources or not allows:
        return
    every = any(str(b.get("protocol", "")).lower() in _ALL_PROTOCOLS for b in allows)
    ports = [p for b in allows for p in strings(b.get("ports"))]
    if every or wide_ports(ports, web):
        yield _hit("source_ranges", "firewall", sources, every)


def _sql_networks(rtype: str, attrs: Mapping[str, Any]) -> Iterator[RuleHit]:
    if rtype != "google_sql_database_instance":
        return
    for settings in blocks(attrs.get("settings")):
        for ip in blocks(settings.get("ip_configuration")):
            for network in blocks(ip.get("authorized_networks")):
                value = str(network.get("value", ""))
                if exposes_internet(value):
                    yield RuleHit("network-exposure", "settings.ip_configuration",
                                  f"the database admits {value}", Severity.CRITICAL,
                                  needle=value)


def network_exposure(rtype: str, attrs: Mapping[str, Any], settings: RuleSettings
                     ) -> Iterator[RuleHit]:
    yield from _aws_nacl(rtype, attrs, settings.web_ports)
    yield from _azure_nsg(rtype, attrs, settings.web_ports)
    yield from _gcp_firewall(rtype, attrs, settings.web_ports)
    yield from _sql_networks(rtype, attrs)


# -- public addresses ------------------------------------------------------------------------

_PUBLIC_FLAGS: dict[str, tuple[str, ...]] = {
    "aws_instance": ("associate_public_ip_address",),
    "aws_subnet": ("map_public_ip_on_launch",),
    "aws_db_instance": ("publicly_accessible",),
    "aws_rds_cluster_instance": ("publicly_accessible",),
    "aws_redshift_cluster": ("publicly_accessible",),
    "aws_dms_replication_instance": ("publicly_accessible",),
}


def public_address(rtype: str, attrs: Mapping[str, Any], _: RuleSettings) -> Iterator[RuleHit]:
    for flag in _PUBLIC_FLAGS.get(rtype, ()):
        if attrs.get(flag) is True or str(attrs.get(flag)).lower() == "true":
            yield RuleHit("public-address", flag, f"{flag} is true: it gets a public address",
                          Severity.HIGH, needle="true")
    if rtype in ("aws_launch_template", "aws_launch_configuration"):
        for i, block in enumerate(blocks(attrs.get("network_interfaces"))):
            if block.get("associate_public_ip_address") in (True, "true"):
                yield RuleHit("public-address",
                              f"network_interfaces[{i}].associate_public_ip_address",
                              "instances get a public address", Severity.HIGH, needle="true")
        if attrs.get("associate_public_ip_address") in (True, "true"):
            yield RuleHit("public-address", "associate_public_ip_address",
                          "instances get a public address", Severity.HIGH, needle="true")
    if rtype in ("google_compute_instance", "google_compute_instance_template"):
        for i, block in enumerate(blocks(attrs.get("network_interface"))):
            if "access_config" in block and not is_false(block.get("access_config")):
                yield RuleHit("public-address", f"network_interface[{i}].access_config",
                              "an access_config gives the instance an external IP",
                              Severity.HIGH, needle="access_config")
    if rtype == "azurerm_network_interface":
        for i, block in enumerate(blocks(attrs.get("ip_configuration"))):
            if present(block.get("public_ip_address_id")):
                yield RuleHit("public-address", f"ip_configuration[{i}].public_ip_address_id",
                              "a public IP is attached", Severity.MEDIUM,
                              needle="public_ip_address_id")
