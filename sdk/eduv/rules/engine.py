"""Evaluating the catalogue on one message or on a whole dataset."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from eduv import spec
from eduv.dataset.chain.model import ChainDataset, chain_collections
from eduv.dataset.judged import judged_range
from eduv.dataset.model import (
    Collection,
    Dataset,
    collection,
    collections,
    school_collections,
    school_key,
)
from eduv.findings import Finding, ObjectRef, sort_findings
from eduv.rules.binding import CHAIN_CHECKS, DATASET_CHECKS, LIST_CHECKS, MESSAGE_CHECKS
from eduv.rules.catalogue import Rule, load_catalogue
from eduv.rules.chain.context import ChainContext
from eduv.rules.context import Context
from eduv.rules.hits import EachObject, JsonObject, MessageCheck
from eduv.rules.values import person_label
from eduv.spec import Lang

DateLike = date | str

Step = tuple[tuple[str, ...], tuple[Rule, ...]]


@cache
def _plan(api: str, version: str, component: str) -> tuple[Step, ...]:
    """Which message rules run where inside one component, computed once per version."""
    catalogue = load_catalogue()
    places: list[tuple[tuple[str, ...], str]] = [((), component)]
    places += [(n.path, n.shape) for n in catalogue.nesting.get(component, ())]
    steps: list[Step] = []
    for path, shape in places:
        rules = tuple(
            r.at(api, version)
            for r in catalogue.rules
            if r.kind == "message" and shape in r.shapes and r.applies(api, version)
        )
        if rules:
            steps.append((path, rules))
    return tuple(steps)


@cache
def _list_rules(api: str, version: str, message: str) -> tuple[Rule, ...]:
    """The rules that look at a whole list of ``message`` (a request body of several)."""
    return tuple(
        r.at(api, version)
        for r in load_catalogue().rules
        if r.kind == "message" and message in r.list_shapes and r.applies(api, version)
    )


def _nodes(node: Any, path: tuple[str, ...], pointer: str) -> Iterator[tuple[str, JsonObject]]:
    """The objects ``path`` reaches (``*`` = every array item), with their pointers."""
    if not path:
        if isinstance(node, dict):
            yield pointer, node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from _nodes(item, rest, f"{pointer}/{index}")
        return
    if isinstance(node, dict) and head in node:
        yield from _nodes(node[head], rest, f"{pointer}/{head}")


@cache
def _id_members() -> dict[str, str]:
    """Which member identifies an object of each component, from the dataset schemas."""
    found = {c.component: c.id_field for c in chain_collections() if c.id_field}
    found.update({c.component: c.id_field for c in collections() if c.id_field})
    return found


def object_ref(component: str, obj: JsonObject, school: str | None = None) -> ObjectRef:
    member = _id_members().get(component)
    if member is not None:
        return ObjectRef(component, str(obj.get(member)), school)
    if component == "Organisation":
        return ObjectRef(component, school_key(obj), school)
    if isinstance(obj.get("id"), str):  # notifications, results, progress
        return ObjectRef(component, obj["id"], school)
    return ObjectRef(component, person_label(obj), school)


# Where message rules run inside a component: the members down to the node, or down to
# its one list and then below each item, the same as pointer text, and the bound checks.
Checks = tuple[tuple[MessageCheck, Rule], ...]


@dataclass(frozen=True, slots=True)
class _Place:
    path: tuple[str, ...]
    head: tuple[str, ...]
    tail: tuple[str, ...] | None  # below each item of the list ``head`` reaches, if any
    head_text: str
    tail_text: str
    checks: Checks


_SHARED: dict[tuple[str, str, tuple[str, ...]], Checks] = {}


@cache
def _places(api: str, version: str, component: str) -> tuple[_Place, ...]:
    """The plan with each rule bound to its check and each path split at its ``*``."""
    places = []
    for path, rules in _plan(api, version, component):
        bound = tuple((MESSAGE_CHECKS[r.id], r) for r in rules)
        # One tuple per set of rules and version, so that places with the same rules
        # (a pupil named in an enrolment and in a group) share verdicts.
        checks = _SHARED.setdefault((api, version, tuple(r.id for r in rules)), bound)
        head = path[: path.index("*")] if "*" in path else path
        tail = path[len(head) + 1 :] if "*" in path else None
        places.append(_Place(path, head, tail, _text(head), _text(tail or ()), checks))
    return tuple(places)


def _text(members: tuple[str, ...]) -> str:
    return "".join(f"/{m}" for m in members)


# The findings of the checks on a reference, by its members, for one run. A dataset
# names each pupil in many enrolments and groups (and each location in many
# enrolments) with the very same members, and a message check reads nothing but its
# node, so a repeated reference shares the verdict of its first occurrence.
Params = dict[str, object]
Verdict = list[tuple[Rule, str, Params]]
# Per set of checks: the verdict on each reference, keyed by its members (_frozen).
Memo = dict[int, dict[tuple[object, ...], Verdict]]


def _frozen(node: JsonObject) -> tuple[object, ...] | None:
    """The members of a reference as a key: texts, and lists of objects of texts only."""
    members: list[object] = []
    for key, value in node.items():
        if type(value) is list:
            entries = []
            for entry in value:
                if type(entry) is not dict:
                    return None
                pairs = tuple(entry.items())
                for _, inner in pairs:
                    if type(inner) is not str:
                        return None
                entries.append(pairs)
            members.append((key, tuple(entries)))
        elif type(value) is str:
            members.append((key, value))
        else:
            return None
    return tuple(members)


def _reach(node: object, members: tuple[str, ...]) -> object:
    for member in members:
        if not isinstance(node, dict):
            return None
        node = node.get(member)
    return node


def _verdict(
    checks: Checks, node: JsonObject, known: dict[tuple[object, ...], Verdict] | None
) -> Verdict:
    """(rule, pointer below the node, message values) of every check failing on ``node``.

    ``known`` holds the verdicts of these checks on references seen before in the run.
    """
    if known is None:
        return [
            (rule, rest, params) for check, rule in checks for rest, params in check(node, rule)
        ]
    key: tuple[object, ...]
    if len(node) == 1:  # a reference by its primary identifier alone, the usual one
        (key,) = node.items()  # (member, value): no other key is a pair of texts
        if type(key[1]) is not str:
            return _verdict(checks, node, None)
    else:
        frozen = _frozen(node)
        if frozen is None:
            return _verdict(checks, node, None)  # nothing a reference usually holds
        key = frozen
    found = known.get(key)
    if found is None:
        found = known[key] = _verdict(checks, node, None)
    return found


def _placed(
    obj: JsonObject, place: _Place, base: str, memo: Memo | None
) -> Iterator[tuple[str, Verdict]]:
    """(pointer, failing checks) for each node the place reaches, as :func:`_nodes` finds them.

    Pointers are made for failing nodes only; most nodes pass.
    """
    if not place.path:
        verdict = _verdict(place.checks, obj, None)  # the object itself is one of a kind
        if verdict:
            yield base, verdict
        return
    known = None if memo is None else memo.setdefault(id(place.checks), {})
    reached = _reach(obj, place.head)
    if place.tail is None:
        if isinstance(reached, dict) and (verdict := _verdict(place.checks, reached, known)):
            yield base + place.head_text, verdict
    elif "*" in place.tail:
        for pointer, deep in _nodes(obj, place.path, base):  # lists in lists: rare
            if verdict := _verdict(place.checks, deep, known):
                yield pointer, verdict
    elif isinstance(reached, list):
        for index, item in enumerate(reached):
            node = _reach(item, place.tail)
            if isinstance(node, dict) and (verdict := _verdict(place.checks, node, known)):
                yield f"{base}{place.head_text}/{index}{place.tail_text}", verdict


def _message_violations(
    api: str,
    version: str,
    component: str,
    obj: Any,
    base: str,
    lang: Lang,
    school: str | None = None,
    memo: Memo | None = None,
) -> Iterator[Finding]:
    if not isinstance(obj, dict):
        return
    ref: ObjectRef | None = None  # built on the first violation only: most objects have none
    for place in _places(api, version, component):
        for pointer, verdict in _placed(obj, place, base, memo):
            ref = ref or object_ref(component, obj, school)
            for rule, rest, params in verdict:
                yield _finding(rule, lang, params, (ref,), (pointer + rest,))


def _finding(
    rule: Rule,
    lang: Lang,
    params: dict[str, object],
    objects: tuple[ObjectRef, ...],
    pointers: tuple[str, ...],
    interval: tuple[str, str] | None = None,
) -> Finding:
    message = rule.render(lang, params)
    if interval is not None:
        message += " " + load_catalogue().interval_text(lang, interval)
    return Finding(
        kind="rule",
        message=message,
        instance_path=pointers[0] if pointers else "",
        severity=rule.severity,
        rule=rule.id,
        objects=objects,
        related=pointers[1:],
        interval=interval,
        source_kind=rule.source_kind,
    )


def check_message(
    api: str, version: str | None, message: str, payload: Any, lang: Lang = "en"
) -> list[Finding]:
    """Findings of the message rules in one payload.

    ``message`` is a component (``Enrollment``) or a request body
    (``search-student.request``); a list payload, as a list endpoint returns it, is
    checked item by item. Pointers are relative to the payload. Unknown names raise
    :class:`eduv.spec.SpecLookupError`.
    """
    api, version = spec.resolve_version(api, version)
    spec.schema_path(api, version, message)  # refuses an unknown message by name
    if isinstance(payload, list):
        found: list[Finding] = [
            v
            for index, item in enumerate(payload)
            for v in _message_violations(api, version, message, item, f"/{index}", lang)
        ]
        found += _list_violations(api, version, message, payload, lang)
        return sort_findings(found)
    return sort_findings(_message_violations(api, version, message, payload, "", lang))


def _list_violations(
    api: str, version: str, message: str, payload: list[Any], lang: Lang
) -> Iterator[Finding]:
    for rule in _list_rules(api, version, message):
        for pointer, params in LIST_CHECKS[rule.id](payload, rule):
            yield _finding(rule, lang, params, (), (pointer,))


def _range(
    dataset: Dataset, as_of: DateLike | None, date_range: Sequence[DateLike] | None
) -> tuple[str, str]:
    if date_range is not None:
        low, high = (str(d) for d in date_range)
        if high <= low:
            raise ValueError(f"empty date range [{low}, {high}): the end is exclusive")
        return low, high
    judged = judged_range(dataset, as_of=None if as_of is None else str(as_of))
    return judged.begin, judged.end


def check_dataset(
    dataset: Dataset,
    as_of: DateLike | None = None,
    date_range: Sequence[DateLike] | None = None,
    lang: Lang = "en",
    *,
    message_rules: bool = True,
) -> list[Finding]:
    """Findings of the catalogue in a whole dataset.

    Dataset rules look at the objects in force on any day of the range judged: by
    default every day the dataset's data covers (:func:`eduv.dataset.judged_range`),
    ``as_of`` for one day, ``date_range=(begin, end)`` (end exclusive) for any other
    range. A finding that holds only on some days says which (``Finding.interval``).
    Message rules check every stored object, whatever its dates, in the API version
    the dataset's ``shapes`` name. Pointers point into the single-document form of the
    dataset.
    """
    low, high = _range(dataset, as_of, date_range)
    found: list[Finding] = []
    with _collector_paused():
        if message_rules:
            found.extend(_dataset_message_violations(dataset, lang))
        context = Context.build(dataset, low, high)
        for rule in load_catalogue().rules:
            if rule.id not in DATASET_CHECKS or not _applies_to_shapes(rule, dataset.shapes):
                continue
            for hit in DATASET_CHECKS[rule.id](context, rule):
                found.append(
                    _finding(rule, lang, hit.params, hit.objects, hit.pointers, hit.interval)
                )
    return sort_findings(found)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a dataset is checked.

    A check allocates many small tuples and lists (spans, indexes) but no cycles, and
    each full collection those allocations set off walks every object of the dataset:
    on bulk data that was a fifth of the time. Reference counting still frees all.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _dataset_message_violations(dataset: Dataset, lang: Lang) -> Iterator[Finding]:
    """The message rules on every object, one list and one rule at a time.

    A check run over a whole list, rather than every check once per object, keeps the
    per-object work to the check itself; findings are sorted afterwards, so the order
    they are made in does not show.
    """
    memo: Memo = {}
    for base, single, coll, objs, school in _object_lists(dataset):
        version = dataset.shapes.get(coll.api)
        if version is None:
            continue
        present = [(index, obj) for index, obj in enumerate(objs) if isinstance(obj, dict)]
        where = (base, single, coll.component, school, lang)

        for place in _places(coll.api, version, coll.component):
            if not place.path:
                for check, rule in place.checks:
                    if isinstance(check, EachObject):  # takes the list at once
                        for index, rest, params in check.over(present, rule):
                            yield _object_finding(where, index, objs[index], rest, rule, params)
                        continue
                    for index, obj in present:
                        for rest, params in check(obj, rule):
                            yield _object_finding(where, index, obj, rest, rule, params)
            elif len(place.head) == 1 and place.tail in (None, ()):
                # One reference (an enrolment's student) or a list of them (a group's).
                member, checks = place.head[0], place.checks
                known = memo.setdefault(id(checks), {})
                if place.tail is None:
                    for index, obj in present:
                        node = obj.get(member)
                        if not isinstance(node, dict):
                            continue
                        # _verdict's lookup of a one-member reference, written out.
                        verdict = None
                        if len(node) == 1 and type((pair := next(iter(node.items())))[1]) is str:
                            verdict = known.get(pair)
                        if verdict is None:
                            verdict = _verdict(checks, node, known)
                        for rule, rest, params in verdict:
                            at = place.head_text + rest
                            yield _object_finding(where, index, obj, at, rule, params)
                    continue
                for index, obj in present:
                    value = obj.get(member)
                    if not isinstance(value, list):
                        continue
                    for position, node in enumerate(value):
                        if not isinstance(node, dict):
                            continue
                        verdict = None  # looked up as above
                        if len(node) == 1 and type((pair := next(iter(node.items())))[1]) is str:
                            verdict = known.get(pair)
                        if verdict is None:
                            verdict = _verdict(checks, node, known)
                        for rule, rest, params in verdict:
                            at = f"{place.head_text}/{position}{rest}"
                            yield _object_finding(where, index, obj, at, rule, params)
            else:
                for index, obj in present:
                    for at, verdict in _placed(obj, place, "", memo):
                        for rule, rest, params in verdict:
                            yield _object_finding(where, index, obj, at + rest, rule, params)


def _object_finding(
    where: tuple[str, bool, str, str | None, Lang],
    index: int,
    obj: JsonObject,
    at: str,
    rule: Rule,
    params: Params,
) -> Finding:
    """A finding at ``at`` in object ``index`` of a list (pointer, component, school)."""
    base, single, component, school, lang = where
    pointer = base if single else f"{base}/{index}"
    ref = object_ref(component, obj, school)
    return _finding(rule, lang, params, (ref,), (pointer + at,))


def _object_lists(
    dataset: Dataset,
) -> Iterator[tuple[str, bool, Collection, list[JsonObject], str | None]]:
    """(pointer, whether it is a single object, collection, objects, school key) per list."""
    for pos, school in enumerate(dataset.schools):
        key = school.key
        yield (
            f"/schools/{pos}/organisation",
            True,
            collection("organisation"),
            [school.organisation],
            key,
        )
        for coll in school_collections():
            yield f"/schools/{pos}/{coll.name}", False, coll, school.items(coll.name), key
    for name, people in (("students", dataset.students), ("employees", dataset.employees)):
        yield f"/{name}", False, collection(name), people, None


def check_chain_dataset(
    dataset: ChainDataset, lang: Lang = "en", *, message_rules: bool = True
) -> list[Finding]:
    """Findings of the catalogue in a whole chain dataset (format 2).

    Message rules check every object in the API version the dataset's ``shapes`` name;
    chain rules check the objects against each other: a confirmation against its
    request, an entitlement against its delivery order, a report against the school's
    pupils and consents. The chain's rules do not depend on the day, so no range is
    judged. Pointers point into the single-document form of the dataset.
    """
    found: list[Finding] = []
    if message_rules:
        for pointer, api, component, obj in dataset.iter_objects():
            version = dataset.shapes[api]
            found.extend(_message_violations(api, version, component, obj, pointer, lang))
    context = ChainContext(dataset)
    for rule in load_catalogue().rules:
        if rule.id not in CHAIN_CHECKS or not _applies_to_shapes(rule, dataset.shapes):
            continue
        for hit in CHAIN_CHECKS[rule.id](context, rule):
            found.append(_finding(rule, lang, hit.params, hit.objects, hit.pointers))
    return sort_findings(found)


def _applies_to_shapes(rule: Rule, shapes: dict[str, str]) -> bool:
    return any(rule.applies(api, version) for api, version in shapes.items())
