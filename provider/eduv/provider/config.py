"""The provider configuration file (``spec/provider/1/config.schema.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

from eduv import spec

ALL_SCHOOLS = "*"
MIN_PROVISIONING_TOKEN = 16
DEFAULT_BODY_LIMIT = 32 * 1024 * 1024  # room for a whole dataset through provisioning
DEFAULT_TOKEN_RATE = 600  # token requests per minute, per client and source address


class ConfigError(ValueError):
    """The configuration file cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Subscriber:
    callback_url: str
    auth: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Confirmations:
    """Where a client takes the confirmations of its chain requests (see the schema)."""

    url: str
    auth: Mapping[str, Any]
    apis: Mapping[str, str] = field(default_factory=dict)

    def endpoint(self, api: str, major: int, path: str) -> str:
        base = self.apis.get(api) or f"{self.url}/{api}/v{major}"
        return base.rstrip("/") + path


@dataclass(frozen=True, slots=True)
class Client:
    client_id: str
    scopes: frozenset[str]
    name: str = ""
    secret: str | None = None
    jwks: Mapping[str, Any] | None = None
    jwks_uri: str | None = None
    consents: Mapping[str, frozenset[str]] = field(default_factory=dict)
    subscriber: Subscriber | None = None
    confirmations: Confirmations | None = None

    def has_consent(self, school_key: str, api: str) -> bool:
        # A school's own entry wins over '*': "every school but this one" is how a
        # source with one school that withheld consent is written.
        apis = self.consents.get(school_key)
        if apis is None:
            apis = self.consents.get(ALL_SCHOOLS, frozenset())
        return api in apis

    def consented_schools(self, api: str) -> frozenset[str] | None:
        """The school keys this client may see for ``api``; ``None`` means every school
        but those :meth:`refused_schools` names."""
        if api in self.consents.get(ALL_SCHOOLS, frozenset()):
            return None
        return frozenset(k for k, apis in self.consents.items() if api in apis)

    def refused_schools(self, api: str) -> frozenset[str]:
        """Schools whose own entry leaves ``api`` out, which '*' does not override."""
        return frozenset(
            k for k, apis in self.consents.items() if k != ALL_SCHOOLS and api not in apis
        )

    def has_any_consent(self, api: str) -> bool:
        return any(api in apis for apis in self.consents.values())


@dataclass(frozen=True, slots=True)
class Delivery:
    batch_size: int = 100
    poll_interval: float = 0.5
    initial_backoff: float = 1.0
    max_backoff: float = 300.0
    timeout: float = 10.0
    retention_days: float = 7.0


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    clients: Mapping[str, Client] = field(default_factory=dict)
    public_url: str | None = None
    token_lifetime: int = 3600
    provisioning_token: str | None = None
    delivery: Delivery = field(default_factory=Delivery)
    max_body_bytes: int = DEFAULT_BODY_LIMIT
    token_rate_limit: int = DEFAULT_TOKEN_RATE
    signing_key_file: str | None = None


def provisioning_token_problem(token: str) -> str | None:
    """Why a provisioning token is too weak to guard the provider's data, if it is.

    The same rule holds wherever the token comes from (file, option, environment): the
    provisioning API can replace every school, so a guessable token is no guard at all.
    """
    if len(token) < MIN_PROVISIONING_TOKEN:
        return f"the provisioning token must have at least {MIN_PROVISIONING_TOKEN} characters"
    if len(set(token)) < 4:
        return "the provisioning token must not repeat a few characters only"
    if token != token.strip():
        return "the provisioning token must not start or end with white space"
    return None


def config_schema() -> dict[str, Any]:
    return dict(spec.document("provider/1/config.schema.json"))


def load_config(path: str | Path) -> ProviderConfig:
    source = Path(path)
    try:
        doc = orjson.loads(source.read_bytes())
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such configuration file") from None
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"{source}: not valid JSON ({exc})") from None
    return config_from_json(doc, str(source))


def config_from_json(doc: Any, where: str = "<config>") -> ProviderConfig:
    validator = jsonschema_rs.validator_for(config_schema(), validate_formats=True)
    problems = [
        f"{where}#/{'/'.join(str(p) for p in err.instance_path)}: {err.message}"
        for err in validator.iter_errors(doc)
    ]
    if problems:
        raise ConfigError("the provider configuration is not valid:\n  " + "\n  ".join(problems))
    clients = [_client(c) for c in doc.get("clients", [])]
    ids = [c.client_id for c in clients]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ConfigError(f"{where}: client ids must be unique; repeated: {', '.join(twice)}")
    delivery = doc.get("delivery", {})
    limits = doc.get("limits", {})
    token = doc.get("provisioning", {}).get("token")
    weak = provisioning_token_problem(token) if token is not None else None
    if weak:
        raise ConfigError(f"{where}#/provisioning/token: {weak}")
    return ProviderConfig(
        clients={c.client_id: c for c in clients},
        public_url=doc.get("publicUrl"),
        token_lifetime=int(doc.get("accessTokenLifetime", 3600)),
        provisioning_token=token,
        max_body_bytes=int(limits.get("maxBodyBytes", DEFAULT_BODY_LIMIT)),
        token_rate_limit=int(limits.get("tokenRequestsPerMinute", DEFAULT_TOKEN_RATE)),
        signing_key_file=doc.get("signingKeyFile"),
        delivery=Delivery(
            batch_size=int(delivery.get("batchSize", 100)),
            poll_interval=float(delivery.get("pollInterval", 0.5)),
            initial_backoff=float(delivery.get("initialBackoff", 1.0)),
            max_backoff=float(delivery.get("maxBackoff", 300.0)),
            timeout=float(delivery.get("timeout", 10.0)),
            retention_days=float(delivery.get("retentionDays", 7.0)),
        ),
    )


def default_consent_apis() -> list[str]:
    """The APIs a consent without ``apis`` covers: the administration APIs and the chain
    APIs served whose texts ask for a school's consent."""
    from eduv.provider.roles import consent_apis

    return [a.id for a in spec.source_apis()] + list(consent_apis())


def _client(doc: Mapping[str, Any]) -> Client:
    consents: dict[str, frozenset[str]] = {}
    for consent in doc.get("consents", []):
        # Without a list, a consent covers every API the source serves that asks for it.
        apis = frozenset(consent.get("apis", default_consent_apis()))
        consents[consent["school"]] = consents.get(consent["school"], frozenset()) | apis
    notify = doc.get("notifications")
    subscriber = None
    if notify is not None:
        subscriber = Subscriber(
            callback_url=notify["callbackUrl"].rstrip("/"),
            auth=notify.get("auth", {"type": "none"}),
        )
    confirm = doc.get("confirmations")
    confirmations = None
    if confirm is not None:
        confirmations = Confirmations(
            url=confirm["url"].rstrip("/"),
            auth=confirm.get("auth", {"type": "none"}),
            apis=dict(confirm.get("apis", {})),
        )
    return Client(
        client_id=doc["clientId"],
        name=doc.get("name", ""),
        scopes=frozenset(doc["scopes"]),
        secret=doc.get("secret"),
        jwks=doc.get("jwks"),
        jwks_uri=doc.get("jwksUri"),
        consents=consents,
        subscriber=subscriber,
        confirmations=confirmations,
    )
