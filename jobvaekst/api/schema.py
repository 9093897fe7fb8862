"""Additions to the OpenAPI schema drf-spectacular generates."""

from __future__ import annotations

from typing import Any

_ERROR = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "description": '{"detail": …} eller fejl pr. parameter',
                "additionalProperties": True,
            }
        }
    }
}


def document_errors(
    result: dict[str, Any], generator: object, request: object, public: bool
) -> dict[str, Any]:
    """drf-spectacular hook: every operation may answer 401 (no or a wrong token), 403 (an
    object of a programme the user holds no role in) and 404 (an unknown object, or a page
    beyond the last)."""
    for path_name, path in result.get("paths", {}).items():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("401", {"description": "Ikke logget ind.", **_ERROR})
            if any(p.get("name") == "page" for p in operation.get("parameters", [])):
                responses.setdefault("400", {"description": "Ugyldig side.", **_ERROR})
            if "{" in path_name:
                responses.setdefault("403", {"description": "Ingen adgang.", **_ERROR})
            responses.setdefault("404", {"description": "Findes ikke.", **_ERROR})
    return result
