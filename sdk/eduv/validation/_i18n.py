"""Readable schema-error messages and report labels, in English and Dutch.

jsonschema-rs words its messages in English only and shows whole values; a report
for a school administrator needs Dutch too and short quotes, so messages are rebuilt
from the error kind (keyword plus its parameters) with the templates below.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from eduv.spec import Lang

_QUOTE_LIMIT = 60

_TYPE_NAMES: Mapping[Lang, Mapping[str, str]] = {
    "en": {
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "object": "an object",
        "array": "a list",
        "null": "null",
    },
    "nl": {
        "string": "tekst",
        "integer": "een geheel getal",
        "number": "een getal",
        "boolean": "true of false",
        "object": "een object",
        "array": "een lijst",
        "null": "null",
    },
}

# What a valid value of each format looks like; the hint is the useful part of the message.
_FORMAT_HINTS: Mapping[Lang, Mapping[str, str]] = {
    "en": {
        "date": "a date as YYYY-MM-DD",
        "date-time": "an RFC 3339 date-time such as 2024-08-01T09:00:00Z",
        "uuid": "a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e",
        "uri": "an absolute URI such as https://example.org/x",
        "email": "an e-mail address",
    },
    "nl": {
        "date": "een datum als JJJJ-MM-DD",
        "date-time": "een RFC 3339-tijdstip zoals 2024-08-01T09:00:00Z",
        "uuid": "een UUID zoals 0f8fad5b-d9cb-469f-a165-70867728950e",
        "uri": "een absolute URI zoals https://example.org/x",
        "email": "een e-mailadres",
    },
}

_TEMPLATES: Mapping[Lang, Mapping[str, str]] = {
    "en": {
        "required": "required property {property} is missing",
        "dependentRequired": (
            "property {property} is missing; it is required when {trigger} is given"
        ),
        "type": "{value} is {actual}, expected {expected}",
        "enum": "{value} is not one of the allowed values: {options}",
        "const": "{value} is not allowed here; the only allowed value is {expected}",
        "format": "{value} is not {hint}",
        "pattern": "{value} does not match the pattern {pattern}",
        "minLength": "{value} is shorter than {limit} characters",
        "maxLength": "{value} is longer than {limit} characters",
        "minItems": "the list has fewer than {limit} items",
        "maxItems": "the list has more than {limit} items",
        "minimum": "{value} is less than the minimum {limit}",
        "maximum": "{value} is more than the maximum {limit}",
        "exclusiveMinimum": "{value} must be more than {limit}",
        "exclusiveMaximum": "{value} must be less than {limit}",
        "uniqueItems": "the list contains duplicate items",
        "anyOf": "matches none of the allowed forms: {branches}",
        "oneOf": "matches none of the allowed forms: {branches}",
        "oneOfMultipleValid": "matches more than one of the forms where exactly one is allowed",
        "not": "{value} has a form that is not allowed here",
        "falseSchema": "no value is allowed here",
        "additionalProperties": "unknown properties: {unexpected}",
        "unevaluatedProperties": "properties not defined by the Edu-V schema: {unexpected}",
        "minProperties": "the object has fewer than {limit} properties",
        "maxProperties": "the object has more than {limit} properties",
        "multipleOf": "{value} is not a multiple of {limit}",
        "firstErrorOnly": (
            "the message is {limit} bytes or more: only its first schema error is listed"
        ),
    },
    "nl": {
        "required": "verplicht veld {property} ontbreekt",
        "dependentRequired": (
            "veld {property} ontbreekt; het is verplicht wanneer {trigger} is gegeven"
        ),
        "type": "{value} is {actual}, verwacht is {expected}",
        "enum": "{value} is geen toegestane waarde; toegestaan: {options}",
        "const": "{value} is hier niet toegestaan; de enige toegestane waarde is {expected}",
        "format": "{value} is niet {hint}",
        "pattern": "{value} voldoet niet aan het patroon {pattern}",
        "minLength": "{value} is korter dan {limit} tekens",
        "maxLength": "{value} is langer dan {limit} tekens",
        "minItems": "de lijst heeft minder dan {limit} elementen",
        "maxItems": "de lijst heeft meer dan {limit} elementen",
        "minimum": "{value} is kleiner dan het minimum {limit}",
        "maximum": "{value} is groter dan het maximum {limit}",
        "exclusiveMinimum": "{value} moet groter zijn dan {limit}",
        "exclusiveMaximum": "{value} moet kleiner zijn dan {limit}",
        "uniqueItems": "de lijst bevat dubbele elementen",
        "anyOf": "past in geen van de toegestane vormen: {branches}",
        "oneOf": "past in geen van de toegestane vormen: {branches}",
        "oneOfMultipleValid": "past in meer dan een vorm, terwijl er precies een mag",
        "not": "{value} heeft een vorm die hier niet is toegestaan",
        "falseSchema": "hier is geen enkele waarde toegestaan",
        "additionalProperties": "onbekende velden: {unexpected}",
        "unevaluatedProperties": "velden die het Edu-V-schema niet kent: {unexpected}",
        "minProperties": "het object heeft minder dan {limit} velden",
        "maxProperties": "het object heeft meer dan {limit} velden",
        "multipleOf": "{value} is geen veelvoud van {limit}",
        "firstErrorOnly": (
            "het bericht is {limit} bytes of groter: alleen de eerste schemafout is vermeld"
        ),
    },
}

# Labels of the text report and of CLI messages.
LABELS: Mapping[Lang, Mapping[str, str]] = {
    "en": {
        "valid": "valid",
        "invalid": "invalid",
        "warnings": "valid, with warnings",
        "summary": (
            "{messages} messages: {valid} valid, {invalid} invalid, "
            "{skipped} skipped, {input_errors} input errors"
        ),
        "truncated": "... {count} more invalid messages left out of this report",
        "findings_left_out": (
            "{count} more findings of this message left out of the report (at most {limit} "
            "are kept per message); the summary counts them"
        ),
        "input_error": "input error",
        "judged_many": "{count} datasets: {judged}",
        "detected": "detected",
        "rules_off": "rule checks were not run",
        "or": "or",
        "body_required": "{operation} needs a request body; none was sent",
        "body_missing": "status {status} needs a {message} body; none was sent",
        "status_undeclared": (
            "status {status} is not declared for {operation} (declared: {declared})"
        ),
        "version_mismatch": (
            "the response's API-Version header says {answered}, but the exchange was matched "
            "to {api} {version}"
        ),
        "body_not_json": "the body is not valid JSON: {reason}",
        "body_undecodable": (
            "the body is marked as base64 but is not base64-encoded UTF-8 text: {reason}"
        ),
        "duplicate_key": (
            "the name {name} appears more than once in this object; JSON readers disagree "
            "on which value counts (eduv checked the last)"
        ),
        "json_text": "the JSON text",
        "not_json_number": (
            "{value} is not a JSON value: JSON numbers are finite, it has no NaN or Infinity"
        ),
        "number_too_long": (
            "a whole number of more than {limit} digits is more than eduv checks; "
            "it is not checked further"
        ),
        "dataset_version_missing": (
            "this looks like a dataset ({keys}) but has no datasetVersion: 1 for a school "
            "dataset, 2 for a chain dataset"
        ),
        "har_shape": "not a HAR entry: {part} is {actual}, expected {expected}",
        "har_entries": "not a HAR log: the entries are {actual}, expected a list",
        "wrong_encoding": "the input is {encoding} encoded; eduv reads UTF-8 JSON",
        "not_utf8": "not valid UTF-8 (byte {byte} of the line or file)",
        "malformed": "malformed JSON: {reason}",
        "empty": "the input is empty",
        "unreadable": "cannot read the file: {reason}",
        "missing": "no such file or folder",
        "empty_folder": "the folder holds no .json, .ndjson, .jsonl or .har files",
        "too_large": (
            "the document is larger than {limit} bytes, the limit of --max-document-bytes "
            "(max_document_bytes in the library); it was not read further"
        ),
        "line_too_long": (
            "the line is longer than {limit} bytes, the limit of --max-document-bytes "
            "(max_document_bytes in the library); the rest of the line was skipped"
        ),
        "too_many_values": (
            "the document holds more than {limit} JSON values, the limit of --max-json-values "
            "(max_json_values in the library); it was not parsed"
        ),
    },
    "nl": {
        "valid": "geldig",
        "invalid": "ongeldig",
        "warnings": "geldig, met waarschuwingen",
        "summary": (
            "{messages} berichten: {valid} geldig, {invalid} ongeldig, "
            "{skipped} overgeslagen, {input_errors} invoerfouten"
        ),
        "truncated": "... nog {count} ongeldige berichten niet in dit rapport opgenomen",
        "findings_left_out": (
            "nog {count} bevindingen van dit bericht niet in het rapport opgenomen (per bericht "
            "worden er hoogstens {limit} bewaard); de samenvatting telt ze mee"
        ),
        "input_error": "invoerfout",
        "judged_many": "{count} datasets: {judged}",
        "detected": "herkend",
        "rules_off": "regelcontroles zijn niet uitgevoerd",
        "or": "of",
        "body_required": "{operation} vraagt om een request body; die is niet meegestuurd",
        "body_missing": "status {status} vraagt om een {message} in de body; die ontbreekt",
        "status_undeclared": (
            "status {status} is niet gedeclareerd voor {operation} (wel: {declared})"
        ),
        "version_mismatch": (
            "de API-Version-header van het antwoord zegt {answered}, maar de uitwisseling "
            "hoort bij {api} {version}"
        ),
        "body_not_json": "de body is geen geldige JSON: {reason}",
        "body_undecodable": (
            "de body is als base64 gemarkeerd maar is geen base64-gecodeerde UTF-8-tekst: {reason}"
        ),
        "duplicate_key": (
            "de naam {name} komt meer dan eens voor in dit object; JSON-lezers verschillen "
            "in welke waarde telt (eduv controleerde de laatste)"
        ),
        "json_text": "de JSON-tekst",
        "not_json_number": (
            "{value} is geen JSON-waarde: JSON-getallen zijn eindig, NaN en Infinity "
            "bestaan er niet"
        ),
        "number_too_long": (
            "een geheel getal van meer dan {limit} cijfers is meer dan eduv controleert; "
            "het is niet verder gecontroleerd"
        ),
        "dataset_version_missing": (
            "dit lijkt een dataset ({keys}) maar datasetVersion ontbreekt: 1 voor een "
            "schooldataset, 2 voor een ketendataset"
        ),
        "har_shape": "geen HAR-entry: {part} is {actual}, verwacht is {expected}",
        "har_entries": "geen HAR-log: de entries zijn {actual}, verwacht is een lijst",
        "wrong_encoding": "de invoer is in {encoding}; eduv leest JSON in UTF-8",
        "not_utf8": "geen geldige UTF-8 (byte {byte} van de regel of het bestand)",
        "malformed": "ongeldige JSON: {reason}",
        "empty": "de invoer is leeg",
        "unreadable": "het bestand kan niet worden gelezen: {reason}",
        "missing": "bestand of map bestaat niet",
        "empty_folder": "de map bevat geen .json-, .ndjson-, .jsonl- of .har-bestanden",
        "too_large": (
            "het document is groter dan {limit} bytes, de grens van --max-document-bytes "
            "(max_document_bytes in de bibliotheek); het is niet verder gelezen"
        ),
        "line_too_long": (
            "de regel is langer dan {limit} bytes, de grens van --max-document-bytes "
            "(max_document_bytes in de bibliotheek); de rest van de regel is overgeslagen"
        ),
        "too_many_values": (
            "het document bevat meer dan {limit} JSON-waarden, de grens van --max-json-values "
            "(max_json_values in de bibliotheek); het is niet ingelezen"
        ),
    },
}


def label(lang: Lang, key: str, **values: Any) -> str:
    return LABELS[lang][key].format(**values)


def type_name(lang: Lang, value_or_type: Any) -> str:
    """The readable name of a JSON type, given a value or the type's own name."""
    names = _TYPE_NAMES[lang]
    if isinstance(value_or_type, str) and value_or_type in names:
        return names[value_or_type]
    return names[json_type(value_or_type)]


def quote(value: Any) -> str:
    """A short JSON rendering of a value for use inside a sentence."""
    if isinstance(value, float) and not math.isfinite(value):
        # orjson would write null, which is not what was given
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, int) and value.bit_length() > 200:
        # Writing out a huge number costs time (Python refuses beyond 4,300 digits).
        return f"a whole number of about {int(value.bit_length() * math.log10(2)) + 1:,} digits"
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    if len(text) > _QUOTE_LIMIT:
        return text[: _QUOTE_LIMIT - 3] + "..."
    return text


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _alternatives(lang: Lang, words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {LABELS[lang]['or']} " + words[-1]


def schema_message(
    lang: Lang,
    keyword: str,
    params: Mapping[str, Any],
    value: Any,
    fallback: str,
) -> str:
    """The message for one schema error; ``fallback`` is the validator's own text."""
    template = _TEMPLATES[lang].get(keyword)
    if template is None:
        return fallback
    names = _TYPE_NAMES[lang]
    fields: dict[str, Any] = {
        "value": quote(value),
        "property": quote(params.get("property", "")),
        "trigger": quote(params.get("trigger", "")),
        "limit": params.get("limit", ""),
        "pattern": quote(params.get("pattern", "")),
        "expected": quote(params.get("expected_value")),
        "options": ", ".join(quote(o) for o in params.get("options", [])),
        "unexpected": ", ".join(quote(u) for u in params.get("unexpected", [])),
        "branches": params.get("branches", ""),
        "actual": names.get(json_type(value), json_type(value)),
    }
    if keyword == "type":
        expected = [names.get(t, t) for t in params.get("types", [])]
        fields["expected"] = _alternatives(lang, expected)
    if keyword == "format":
        fmt = str(params.get("format", ""))
        fields["hint"] = _FORMAT_HINTS[lang].get(fmt, f"a valid {fmt}")
    return template.format(**fields)
