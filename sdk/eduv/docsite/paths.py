"""Where each page of the site goes, as a path from the site root."""

from __future__ import annotations

from eduv.docsite.content import file_stem
from eduv.spec import Lang


def home(lang: Lang) -> str:
    return f"{lang}/index.html"


def releases(lang: Lang) -> str:
    return f"{lang}/releases.html"


def search(lang: Lang) -> str:
    return f"{lang}/search.html"


def api(lang: Lang, api_id: str) -> str:
    return f"{lang}/{api_id}/index.html"


def version(lang: Lang, api_id: str, number: str) -> str:
    return f"{lang}/{api_id}/{number}/index.html"


def operation(lang: Lang, api_id: str, number: str, operation_id: str) -> str:
    return f"{lang}/{api_id}/{number}/op/{file_stem(operation_id)}.html"


def message(lang: Lang, api_id: str, number: str, name: str) -> str:
    return f"{lang}/{api_id}/{number}/msg/{file_stem(name)}.html"
