"""What a conformance run tests and how: read from a TOML file and/or command-line flags.

A minimal configuration file::

    [target]
    root = "https://bron.example.nl"          # APIs under /{api-id}/v{major}/
    token_url = "https://bron.example.nl/oauth2/token"

    [[credentials]]
    client_id = "leermiddelenportaal"
    private_key = "keys/portaal.pem"           # private_key_jwt, the Edu-V way

    [[schools]]
    id = "104A158"                             # RIO onderwijsaanbiedercode
    sector = "PO"

See docs/conformance.md for every member.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from eduv import spec
from eduv.conformance import strict
from eduv.conformance.catalogue import selectable_modes

# ConfigError is the configuration's own error, raised and caught under this name too.
from eduv.conformance.config_values import ConfigError as ConfigError  # noqa: PLC0414
from eduv.conformance.config_values import (
    flag,
    optional_text,
    secret,
    strings,
    table,
    tables,
    whole_number,
)
from eduv.conformance.model import Mode
from eduv.spec import Lang

# The APIs a source serves and the suite can observe: the registry's source APIs.
SOURCE_APIS = tuple(api.id for api in spec.source_apis())
NOTIFICATIONS_API = "notifications-api"
# The chain APIs whose reads observe mode covers: a supplier's catalogue, the delivery
# orders of the ordering environment, the entitlements of the entitlement manager, the
# usage of the licence registry, the consents of a source and the processor register.
CHAIN_READ_APIS = (
    "catalogue-api",
    "delivery-api",
    "entitlement-api",
    "usage-api",
    "consent-api",
    "dpa-api",
)
OBSERVED_APIS = (*SOURCE_APIS, *CHAIN_READ_APIS)
# The chain APIs that only take requests or pushed data: the suite sends them, when the
# run is set up for it (see ``eduv.conformance.chain.context``).
CHAIN_WRITE_APIS = (
    "order-api",
    "delivery-api",
    "entitlement-api",
    "activationcode-api",
    "usage-api",
    "results-api",
    "progress-api",
)


@dataclass(frozen=True, slots=True)
class Limits:
    """How much the run may ask of the target, and how it reaches it (TLS)."""

    max_requests: int = 20_000
    rate: float = 0.0  # requests per second; 0 means no spacing
    timeout: float = 30.0
    max_response_bytes: int = 16 * 1024 * 1024
    verify_tls: bool = True
    ca_bundle: str | None = None
    client_cert: str | None = None  # PEM certificate for mutual TLS, with its key or ...
    client_key: str | None = None  # ... with the key in a file of its own
    # The name of the environment variable that holds the password of an encrypted key:
    # never the password itself, so that it cannot end up in a report or a log.
    client_key_password_env: str | None = None


@dataclass(frozen=True, slots=True)
class Credential:
    """One OAuth2 client of the target. Secrets are held here and never printed."""

    name: str
    client_id: str
    secret: str | None = field(default=None, repr=False)
    private_key: str | None = None
    consent: bool = True  # False: a client without consent for the tested schools

    def describe(self) -> str:
        how = "private_key_jwt" if self.private_key else "client secret"
        return f"{self.name} ({self.client_id}, {how})"


@dataclass(frozen=True, slots=True)
class SchoolTarget:
    id: str  # the RIO onderwijsaanbiedercode (orgMasterId)
    sector: str | None = None  # PO or VO when known; some rules need it
    # False: the school has not given the run's clients consent. Its data is not read;
    # EDUV-CONF-CONSENT-001 checks that the source refuses it (403, status 22).
    consent: bool = True


@dataclass(frozen=True, slots=True)
class Provisioning:
    url: str | None = None
    token: str | None = field(default=None, repr=False)
    adapter: str | None = None  # name of an entry point in eduv.conformance.provisioning


@dataclass(frozen=True, slots=True)
class Consumer:
    url: str | None = None  # the consumer's base URL; /notification(s) is appended
    token: str | None = field(default=None, repr=False)
    version: str | None = None


@dataclass(frozen=True, slots=True)
class Callback:
    """The suite's endpoint for the chain's confirmations (see ``eduv.conformance.chain``).

    The suite listens on ``listen`` (loopback by default); a remote target reaches it at
    ``url``, the address the tester exposes, and authenticates with a token from
    ``url + /oauth2/token`` for ``client_id`` and ``secret``. ``timeout`` bounds how long
    a confirmation may take to arrive.
    """

    listen: str = "127.0.0.1:0"
    url: str | None = None
    client_id: str = "eduv-conformance"
    secret: str | None = field(default=None, repr=False)
    timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class Agreements:
    """What the DPA API is asked about: a supplier, by its OIN, and the school boards
    whose agreements with it the register is read for."""

    supplier_oin: str | None = None
    boards: tuple[str, ...] = ()

    @property
    def named(self) -> bool:
        return self.supplier_oin is not None and bool(self.boards)


@dataclass(frozen=True, slots=True)
class RunConfig:
    root: str | None = None
    token_url: str | None = None
    api_urls: Mapping[str, str] = field(default_factory=dict)
    credentials: tuple[Credential, ...] = ()
    schools: tuple[SchoolTarget, ...] = ()
    apis: tuple[str, ...] = (
        *SOURCE_APIS,
        NOTIFICATIONS_API,
        *CHAIN_READ_APIS,
        *(a for a in CHAIN_WRITE_APIS if a not in CHAIN_READ_APIS),
    )
    versions: tuple[str, ...] = ("t", "t-1")
    modes: tuple[Mode, ...] = ("preflight", "observe", "scenario")
    seed: int = 0
    examples: int = 3
    steps: int = 4
    shrink_budget: int = 40
    known_issues: str | None = None
    keep_personal_data: bool = False
    lang: Lang = "en"
    limits: Limits = field(default_factory=Limits)
    provisioning: Provisioning = field(default_factory=Provisioning)
    consumer: Consumer = field(default_factory=Consumer)
    callback: Callback = field(default_factory=Callback)
    agreements: Agreements = field(default_factory=Agreements)
    # Whether the chain's writing checks may send the target requests (see Callback).
    chain_writes: bool = False
    sample: int = 5  # objects per list fetched again by id, people looked up one by one
    as_of: str | None = None
    target_label: str | None = None
    source: str | None = None  # the configuration file, when one was read
    baseline: str | None = None  # an earlier report.json to compare the findings with
    fail_on: str = "any"  # "any" error finding fails the run, or only "new" ones
    # APIs whose pre-1.0 versions are tested all the same (the Consent API has no other).
    pre_release: tuple[str, ...] = ()

    def with_changes(self, **changes: Any) -> RunConfig:
        return replace(self, **changes)

    def left_out(self, api: str, version: str) -> bool:
        """Whether a pre-1.0 version is left out of the run (see ``pre_release``)."""
        return is_pre_release(version) and api not in self.pre_release

    @property
    def label(self) -> str:
        return self.target_label or self.root or self.consumer.url or "(no target)"

    def base_url(self, api: str, version: str) -> str:
        if api in self.api_urls:
            return self.api_urls[api].rstrip("/")
        if self.root is None:
            raise ConfigError(f"no URL for {api}: give target.root or target.apis.{api}")
        major = spec.api_version(api, version).major
        return f"{self.root.rstrip('/')}/{api}/v{major}"

    def plan(self) -> list[tuple[str, str]]:
        """(api, version) pairs to test; pre-1.0 versions are left to the checks to refuse."""
        pairs: list[tuple[str, str]] = []
        for api in self.apis:
            for version in self.versions:
                resolved = spec.resolve_version(api, version)
                if resolved not in pairs:
                    pairs.append(resolved)
        return pairs


def is_pre_release(version: str) -> bool:
    """Pre-1.0 versions are not applicable: the standard gives them no stability."""
    return version.split(".", 1)[0] == "0"


def load(path: str | Path, base: RunConfig | None = None) -> RunConfig:
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read the configuration file ({exc})") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from None
    try:
        strict.check(doc, KNOWN_KEYS, str(source), text)
        cfg = from_document(doc, source.parent, base or RunConfig())
    except (strict.UnknownKeyError, spec.SpecLookupError) as exc:
        raise ConfigError(str(exc)) from None
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return replace(cfg, source=str(source))


# The tables about what the suite sends: changes, notifications, the chain's requests.
_SENDING = ("provisioning", "consumer", "callback")
# Every key the configuration knows, per table; anything else is refused by name.
KNOWN_KEYS: dict[str, frozenset[str]] = {
    "": frozenset(
        {*("target", "credentials", "schools", "run", "limits", "agreements"), *_SENDING}
    ),
    "target": frozenset({"root", "token_url", "apis"}),
    "credentials": frozenset(
        {"name", "client_id", "secret", "secret_env", "private_key", "consent"}
    ),
    "schools": frozenset({"id", "sector", "consent"}),
    "run": frozenset(
        {
            "apis",
            "versions",
            "modes",
            "seed",
            "examples",
            "steps",
            "shrink_budget",
            "sample",
            "known_issues",
            "keep_personal_data",
            "lang",
            "as_of",
            "baseline",
            "fail_on",
            "pre_release",
        }
    ),
    "limits": frozenset(
        {
            "max_requests",
            "rate",
            "timeout",
            "max_response_bytes",
            "verify_tls",
            "ca_bundle",
            "client_cert",
            "client_key",
            "client_key_password_env",
        }
    ),
    "provisioning": frozenset({"url", "token", "token_env", "adapter"}),
    "consumer": frozenset({"url", "token", "token_env", "version"}),
    "callback": frozenset({"listen", "url", "client_id", "secret", "secret_env", "timeout"}),
    "agreements": frozenset({"supplier_oin", "boards"}),
}


def from_document(doc: Mapping[str, Any], folder: Path, base: RunConfig) -> RunConfig:
    target = table(doc, "target")
    run = table(doc, "run")
    cfg = replace(
        base,
        root=optional_text(target, "root", base.root),
        token_url=optional_text(target, "token_url", base.token_url),
        api_urls={spec.resolve_api(k): str(v) for k, v in table(target, "apis").items()}
        or base.api_urls,
        credentials=tuple(
            _credential(c, i, folder) for i, c in enumerate(tables(doc, "credentials"))
        )
        or base.credentials,
        schools=_schools(tables(doc, "schools")) or base.schools,
        limits=_limits(table(doc, "limits"), base.limits, folder),
        provisioning=_provisioning(table(doc, "provisioning"), base.provisioning),
        consumer=_consumer(table(doc, "consumer"), base.consumer),
        callback=_callback(table(doc, "callback"), base.callback),
        agreements=_agreements(table(doc, "agreements"), base.agreements),
        chain_writes=base.chain_writes or "callback" in doc,
    )
    if "callback" in doc and "modes" not in run and "consumer" not in cfg.modes:
        # A callback is there to take what the target sends back: the checks that send
        # it requests (consumer mode) run too, unless the modes are chosen.
        cfg = replace(cfg, modes=(*cfg.modes, "consumer"))
    return _run(run, cfg, folder)


def _run(run: Mapping[str, Any], cfg: RunConfig, folder: Path) -> RunConfig:
    changes: dict[str, Any] = {}
    if "apis" in run:
        changes["apis"] = tuple(spec.resolve_api(a) for a in strings(run, "apis"))
    if "versions" in run:
        changes["versions"] = tuple(strings(run, "versions"))
    if "modes" in run:
        changes["modes"] = parse_modes(strings(run, "modes"))
    for name in ("seed", "examples", "steps", "shrink_budget", "sample"):
        if name in run:
            changes[name] = whole_number(run, name)
    if "known_issues" in run:
        changes["known_issues"] = str(folder / str(run["known_issues"]))
    if "keep_personal_data" in run:
        changes["keep_personal_data"] = flag(run, "keep_personal_data", False, "run")
    if "lang" in run:
        changes["lang"] = parse_lang(str(run["lang"]))
    if "as_of" in run:
        changes["as_of"] = str(run["as_of"])
    if "baseline" in run:
        changes["baseline"] = str(folder / str(run["baseline"]))
    if "fail_on" in run:
        changes["fail_on"] = parse_fail_on(str(run["fail_on"]))
    if "pre_release" in run:
        changes["pre_release"] = tuple(spec.resolve_api(a) for a in strings(run, "pre_release"))
    return replace(cfg, **changes)


FAIL_ON = ("any", "new")


def parse_fail_on(name: str) -> str:
    if name not in FAIL_ON:
        raise ConfigError(f"fail_on is 'any' or 'new', not {name!r}")
    return name


def parse_modes(names: Sequence[str]) -> tuple[Mode, ...]:
    known = selectable_modes()
    for name in names:
        if name not in known:
            raise ConfigError(f"unknown mode {name!r}; modes: {', '.join(known)}")
    return tuple(cast(Mode, name) for name in names)


def parse_lang(name: str) -> Lang:
    try:
        return spec.parse_lang(name)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _credential(doc: Mapping[str, Any], index: int, folder: Path) -> Credential:
    where = f"credentials[{index}]"
    if "client_id" not in doc:
        raise ConfigError(f"{where}: client_id is required")
    key = doc.get("private_key")
    given = secret(doc, where)
    if (key is None) == (given is None):
        raise ConfigError(f"{where}: give either private_key or a secret (secret_env)")
    return Credential(
        name=str(doc.get("name", doc["client_id"])),
        client_id=str(doc["client_id"]),
        secret=given,
        private_key=str(folder / str(key)) if key else None,
        consent=flag(doc, "consent", True, where),
    )


def _schools(docs: list[Mapping[str, Any]]) -> tuple[SchoolTarget, ...]:
    found = tuple(_school(doc, index) for index, doc in enumerate(docs))
    seen: set[str] = set()
    for school in found:
        if school.id in seen:
            raise ConfigError(f"schools: {school.id} is listed twice")
        seen.add(school.id)
    return found


def _school(doc: Mapping[str, Any], index: int) -> SchoolTarget:
    where = f"schools[{index}]"
    if "id" not in doc:
        raise ConfigError(f"{where}: every school needs its id (RIO onderwijsaanbiedercode)")
    sector = doc.get("sector")
    if sector not in (None, "PO", "VO"):
        raise ConfigError(f"{where}: sector is PO or VO, not {sector!r}")
    return SchoolTarget(str(doc["id"]), sector, flag(doc, "consent", True, where))


def _limits(doc: Mapping[str, Any], base: Limits, folder: Path) -> Limits:
    changes: dict[str, Any] = {}
    for name in ("max_requests", "max_response_bytes"):
        if name in doc:
            changes[name] = whole_number(doc, name)
    for name in ("rate", "timeout"):
        if name in doc:
            changes[name] = float(doc[name])
    if "verify_tls" in doc:
        changes["verify_tls"] = flag(doc, "verify_tls", True, "limits")
    for name in ("ca_bundle", "client_cert", "client_key"):
        if name in doc:
            changes[name] = str(folder / str(doc[name]))
    if "client_key_password_env" in doc:
        changes["client_key_password_env"] = str(doc["client_key_password_env"])
    return replace(base, **changes)


def _provisioning(doc: Mapping[str, Any], base: Provisioning) -> Provisioning:
    if not doc:
        return base
    return Provisioning(
        url=doc.get("url"), token=secret(doc, "provisioning", "token"), adapter=doc.get("adapter")
    )


def _consumer(doc: Mapping[str, Any], base: Consumer) -> Consumer:
    if not doc:
        return base
    return Consumer(
        url=doc.get("url"), token=secret(doc, "consumer", "token"), version=doc.get("version")
    )


def _agreements(doc: Mapping[str, Any], base: Agreements) -> Agreements:
    if not doc:
        return base
    oin = optional_text(doc, "supplier_oin", base.supplier_oin)
    if oin is not None and len(oin) != 20:
        raise ConfigError(f"agreements.supplier_oin is an OIN of 20 positions, not {oin!r}")
    boards = tuple(strings(doc, "boards")) if "boards" in doc else base.boards
    if oin is None or not boards:
        raise ConfigError("agreements: give supplier_oin and at least one board in boards")
    return Agreements(oin, boards)


def _callback(doc: Mapping[str, Any], base: Callback) -> Callback:
    if not doc:
        return base
    listen = str(doc.get("listen", base.listen))
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise ConfigError(f"callback.listen is host:port (127.0.0.1:8765), not {listen!r}")
    url = optional_text(doc, "url", base.url)
    if url is not None and not url.startswith(("http://", "https://")):
        raise ConfigError(f"callback.url is an http(s) URL, not {url!r}")
    timeout = doc.get("timeout", base.timeout)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise ConfigError("callback.timeout is a number of seconds above zero")
    return Callback(
        listen=listen,
        url=url,
        client_id=str(doc.get("client_id", base.client_id)),
        secret=secret(doc, "callback") or base.secret,
        timeout=float(timeout),
    )
