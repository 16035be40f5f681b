"""Consumer mode for the chain: the confirmations that came back, judged.

A confirmation must reach the suite's callback within the configured time, authenticated
with a token of the suite's token endpoint, on the path of the confirming operation, in
the version of its request and as a valid message of it (EDUV-CONF-XCH-003); it must
pair with its request, which the chain rules about requests and confirmations judge over
everything exchanged (XCH-004); a request sent again gets its confirmation again, with
the same id (XCH-005); and a confirmation the callback refused comes again (XCH-006).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from eduv import spec
from eduv.conformance.catalogue import rule_check_id
from eduv.conformance.chain.exchange import Exchanged, Requester
from eduv.conformance.chain.listener import Received
from eduv.conformance.chain.receiving import (
    CONFIRMED,
    CONFIRMING,
    PAIRED,
    PAIRING_RULES,
    REPEATED,
    RETRIED,
    Trial,
    _judged,
    _place,
    skip_notes,
    trials,
)
from eduv.conformance.model import Outcome, Result, Where
from eduv.conformance.observe.judging import rule_finding
from eduv.conformance.state import SuiteState
from eduv.conformance.tally import Tally
from eduv.pointer import tokens
from eduv.rules import Rule, check_chain_dataset, check_message, load_catalogue


def _where(found: Exchanged, got: Received | None = None) -> Where:
    item = got.json if got is not None else None
    return Where(
        found.kind.operation,
        found.answer.exchange,
        found.kind.confirmation.component if found.kind.confirmation else None,
        found.reference,
        item=item,
    )


def _confirms(trial: Trial) -> bool:
    return trial.valid is not None and trial.valid.kind.confirm is not None


def confirmed(state: SuiteState) -> list[Result]:
    timeout = state.cfg.callback.timeout

    def judge(trial: Trial, tally: Tally) -> None:
        found = trial.valid
        if found is None or found.kind.confirm is None:
            return
        status = found.answer.status
        if status is None or status >= 300:
            return  # not taken: EDUV-CONF-XCH-001 says so, and nothing is owed
        got = found.confirmation
        if got is None:
            requester: Requester | None = trials(state).ctx.requester
            others = requester.others(found) if requester is not None else []
            params = {"operation": trial.operation, "seconds": timeout, "others": len(others)}
            item = others[0].json if others else None
            place = Where(
                found.kind.operation, found.answer.exchange, None, found.reference, item=item
            )
            tally.problem(trial.api, trial.version, "none", params, where=place)
            return
        problems = _problems(found, got)
        for key, params in problems:
            tally.problem(trial.api, trial.version, key, params, where=_where(found, got))
        if not problems:
            tally.ok(trial.api, trial.version)

    return _judged(state, CONFIRMED, judge, CONFIRMING)


def _problems(found: Exchanged, got: Received) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    operation = found.kind.operation
    if not got.authenticated:
        out.append(("unauthenticated", {"operation": operation}))
    sent = got.headers.get("api-version")
    if sent != found.version:
        out.append(("version", {"operation": operation, "got": sent, "expected": found.version}))
    if got.method != "PUT":
        out.append(("method", {"operation": operation, "method": got.method}))
    confirms = found.kind.confirmation
    assert confirms is not None
    validator = spec.validator(found.kind.api, found.version, confirms.component)
    errors = [e.message for e in validator.iter_errors(got.json)]
    if errors:
        out.append(("invalid", {"message": confirms.component, "error": errors[0][:300]}))
    return out


def paired(state: SuiteState) -> list[Result]:
    found = trials(state)
    ctx = found.ctx
    tally = Tally(PAIRED)
    if ctx.why_not is not None:
        return [Result(PAIRED, Outcome.SKIP, ctx.why_not)]
    for (api, version), dataset in ctx.log.by_version.items():
        if api not in CONFIRMING:
            continue
        tally.ok(api, version)
        for violation in check_chain_dataset(dataset, ctx.cfg.lang, message_rules=False):
            if violation.rule not in PAIRING_RULES:
                continue
            parts = tokens(violation.instance_path)
            index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            origin = ctx.log.origins.get((api, version, parts[0] if parts else "", index))
            place = (
                Where(origin.kind.operation, origin.answer.exchange, None, origin.reference)
                if origin is not None
                else Where()
            )
            rule_finding(tally, violation, api, version, place, None)
    skip_notes(tally, [t for t in found.found if t.api in CONFIRMING])
    return tally.results(p for p in ctx.pairs if p[0] in CONFIRMING)


def repeated(state: SuiteState) -> list[Result]:
    def judge(trial: Trial, tally: Tally) -> None:
        first, again = trial.valid, trial.repeat
        if first is None or again is None or first.confirmation is None:
            return
        own = first.kind.confirmation_id
        assert own is not None
        got = again.confirmation
        was = (
            first.confirmation.json.get(own) if isinstance(first.confirmation.json, dict) else None
        )
        if again.answer.status is None or again.answer.status >= 300:
            params = {"operation": trial.operation, "status": again.answer.status}
            tally.problem(
                trial.api,
                trial.version,
                "http",
                params,
                where=_place(trial.operation, again.answer),
            )
        elif got is None:
            params = {"operation": trial.operation}
            tally.problem(trial.api, trial.version, "none", params, where=_where(again))
        elif not isinstance(got.json, dict) or got.json.get(own) != was:
            params = {
                "member": own,
                "first": was,
                "again": got.json.get(own) if isinstance(got.json, dict) else None,
            }
            tally.problem(trial.api, trial.version, "new-id", params, where=_where(again, got))
        else:
            tally.ok(trial.api, trial.version)

    return _judged(state, REPEATED, judge, CONFIRMING)


def retried(state: SuiteState) -> list[Result]:
    def judge(trial: Trial, tally: Tally) -> None:
        found = trial.retried
        if found is None:
            return
        statuses = [c.status for c in found.confirmations]
        if len(statuses) < 2 or all(s >= 300 for s in statuses):
            params = {
                "operation": trial.operation,
                "seconds": state.cfg.callback.timeout,
                "count": len(statuses),
            }
            # The texts do not say how often to try: a convention, so a warning.
            where = _where(found)
            tally.problem(
                trial.api, trial.version, "not-again", params, where=where, severity="warning"
            )
        else:
            tally.ok(trial.api, trial.version)

    return _judged(state, RETRIED, judge, CONFIRMING)


SUBJECT = "chain-exchanges"


def rule_pass(state: SuiteState) -> list[Result]:
    """The message rules over every confirmation the target sent, reported under the
    rule checks (EDUV-CONF-RULE-...) with the subject of the exchanges: what observe mode
    cannot read of a writing API, consumer mode was sent."""
    found = trials(state)
    if found.ctx.why_not is not None:
        return []
    tallies: dict[str, Tally] = {}
    rules = load_catalogue().by_id
    for trial in found.found:
        for sent in (trial.valid, trial.repeat, trial.retried):
            confirms = sent.kind.confirmation if sent is not None else None
            if sent is None or confirms is None:
                continue
            for got in sent.confirmations:
                if not isinstance(got.json, dict):
                    continue
                place = _where(sent, got)
                for violation in check_message(
                    sent.kind.api, sent.version, confirms.component, got.json, state.cfg.lang
                ):
                    check_id = rule_check_id(violation.rule or "")
                    tally = tallies.setdefault(check_id, Tally(check_id, SUBJECT))
                    rule_finding(tally, violation, sent.kind.api, sent.version, place, SUBJECT)
                for rule in _message_rules(rules.values(), sent.kind.api, sent.version):
                    if confirms.component in rule.shapes:
                        check_id = rule_check_id(rule.id)
                        tally = tallies.setdefault(check_id, Tally(check_id, SUBJECT))
                        tally.ok(sent.kind.api, sent.version)
    return [r for tally in tallies.values() for r in tally.results()]


def _message_rules(rules: Iterable[Rule], api: str, version: str) -> Iterator[Rule]:
    return (r for r in rules if r.kind == "message" and r.applies(api, version))
