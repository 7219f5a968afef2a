"""Policies as data: which parties are restricted seeds, the threshold, the method.

The built-ins live in graph/policies/*.yaml (SPEC.md §4); a policy file may define a new policy or
`extends` another (a built-in name, or a path relative to the file). Each verdict records the policy's
name and `Policy.hash()`, a SHA-256 of its full resolved definition.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ownergraph.graph.errors import PolicyError
from ownergraph.graph.model import INTEREST_TYPES, list_name

BUILTIN_DIR = Path(__file__).parent / "policies"
DEFAULT_POLICY = "cn-majority"


class Restricted(BaseModel):
    """The seeds: organisations by country, persons by nationality, any party by named list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    headquarters: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()

    @field_validator("headquarters", "nationalities")
    @classmethod
    def _countries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        out = tuple(sorted({v.strip().upper() for v in value}))
        for code in out:
            if len(code) != 2 or not code.isalpha():
                raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
        return out

    @field_validator("lists")
    @classmethod
    def _lists(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({list_name(v) for v in value if list_name(v)}))  # as the loaders store them


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    restricted: Restricted = Restricted()
    threshold: Decimal = Field(ge=0, le=100)
    inclusive: bool
    method: Literal["aggregate", "integrated"] = "aggregate"
    measured: tuple[str, ...] = ("shareholding",)
    control: tuple[str, ...] = ()

    @field_validator("measured", "control")
    @classmethod
    def _interest_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for kind in value:
            if kind not in INTEREST_TYPES:
                raise ValueError(f"unknown interest type {kind!r}")
        return tuple(sorted(set(value)))

    @field_validator("threshold")
    @classmethod
    def _six_decimals(cls, value: Decimal) -> Decimal:
        if value != value.quantize(Decimal("0.000001")):
            raise ValueError("at most six decimals")
        return value

    def definition(self) -> dict:
        """The full resolved definition (what the hash covers)."""
        data = self.model_dump(mode="json", exclude={"description"})
        data["threshold"] = format(self.threshold.normalize(), "f")
        return data

    def definition_json(self) -> str:
        """The definition as canonical JSON: what is hashed, and what a stored closure keeps of its policy."""
        return json.dumps(self.definition(), sort_keys=True, separators=(",", ":"))

    def hash(self) -> str:
        return hashlib.sha256(self.definition_json().encode()).hexdigest()[:16]

    def describe_threshold(self) -> str:
        return f"{'at least' if self.inclusive else 'more than'} {format(self.threshold.normalize(), 'f')}%"


def _merge(base: dict, child: dict) -> dict:
    out = dict(base)
    for key, value in child.items():
        if key == "restricted" and isinstance(value, dict):
            out[key] = {**base.get("restricted", {}), **value}
        else:
            out[key] = value
    return out


def _raw(source: str | Path, seen: tuple[str, ...] = ()) -> dict:
    """A policy's definition with `extends` resolved, before validation."""
    path = Path(source)
    builtin = BUILTIN_DIR / f"{source}.yaml"
    if isinstance(source, str) and builtin.exists() and not path.exists():
        path = builtin
    if not path.exists():
        raise PolicyError(f"no policy named {str(source)!r} (built-ins: {', '.join(builtin_names())})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: a policy file holds a mapping (name, restricted, threshold, ...)")
    return _resolve(data, path.parent, seen + (str(path),))


def _resolve(data: dict, base_dir: Path, seen: tuple[str, ...] = ()) -> dict:
    parent = data.get("extends")
    if parent is None:
        return data
    relative = base_dir / str(parent)
    target = relative if relative.exists() else str(parent)
    if str(target) in seen or str(BUILTIN_DIR / f"{parent}.yaml") in seen:
        raise PolicyError(f"policy {data.get('name')!r}: `extends` makes a loop through {parent!r}")
    merged = _merge(_raw(target, seen), data)
    merged.pop("extends", None)
    return merged


def parse_policy(data: dict, base_dir: Path | None = None) -> Policy:
    """Validate a policy definition (e.g. a POSTed body); PolicyError names the bad field."""
    if not isinstance(data, dict):
        raise PolicyError("a policy is a mapping (name, restricted, threshold, ...)")
    resolved = _resolve(dict(data), base_dir or Path.cwd())
    resolved.pop("extends", None)
    try:
        return Policy.model_validate(resolved)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'policy'}: {err['msg']}" for err in exc.errors()
        )
        raise PolicyError(f"policy {resolved.get('name', '?')!r} is invalid: {problems}") from None


def from_definition(text: str) -> Policy:
    """A policy from the canonical JSON `Policy.definition_json` gave (kept beside a materialised closure)."""
    try:
        return Policy.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        raise PolicyError(f"a stored policy definition cannot be read: {exc}") from None


def load_policy(name_or_path: str | Path) -> Policy:
    """A built-in by name, or a YAML policy file."""
    if isinstance(name_or_path, str) and name_or_path in builtin_names():
        return builtin_policies()[name_or_path]
    path = Path(name_or_path)
    if not path.exists():
        raise PolicyError(f"no policy named {str(name_or_path)!r} (built-ins: {', '.join(builtin_names())})")
    raw = _raw(path)
    return parse_policy(raw, path.parent)


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


@cache
def builtin_policies() -> dict[str, Policy]:
    return {name: parse_policy(_raw(name), BUILTIN_DIR) for name in builtin_names()}
