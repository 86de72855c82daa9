"""Resolve a loosely written unit name to the unit id of a campaign."""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.config import Campaign
from etl.normalize._text import clean, shown
from etl.normalize.errors import NormalizeError

_SEAL = re.compile(r"\(?盖章\)?")
_TRAILING_PUNCT = re.compile(r"[。.，,;；:：、]+$")
# Longest first: "建设和交通运输局" must be removed whole, not just its "局".
_BUREAU_SUFFIXES = ("建设和交通运输局", "建设交通运输局", "交通运输局", "交通局", "市局", "县局", "局")
_ADMIN_SUFFIXES = ("行委", "市", "县", "区")
_MIN_CONTAINED_KEY = 2
_LISTED_UNITS = 5  # an unknown unit's message names this many units, not all of a province's


@dataclass(frozen=True)
class _Lookup:
    exact: dict[str, frozenset[str]]  # normalized name/alias → unit ids
    core: dict[str, frozenset[str]]  # name without bureau/admin suffix → unit ids
    names: dict[str, str]  # unit id → full name
    short_name: str  # the campaign's, named in the message about an unknown unit
    longest_key: int  # the longest key of exact and core, in characters
    resolved: dict[str, str | NormalizeError]  # text → resolve_unit's answer, filled as texts are met


_CACHE: dict[tuple, _Lookup] = {}
# Trap: hashing a province's units tuple (3,000 dataclasses) costs milliseconds, and the key was hashed on every
# call: once per file and per distinct unit text, 60 % of a cold national build. The campaign's own tuple is
# recognised by identity first; a reloaded campaign (an edited alias) brings a new tuple and is looked up by value.
_BY_TUPLE: dict[str, tuple[tuple, _Lookup]] = {}
_MAX_RESOLVED = 100_000  # distinct texts remembered per unit index (a hostile file cannot grow it without bound)


def _normalize(text: object) -> str:
    return _TRAILING_PUNCT.sub("", _SEAL.sub("", clean(text)))


def _strip_suffix(text: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def _core(text: str) -> str:
    return _strip_suffix(_strip_suffix(text, _BUREAU_SUFFIXES), _ADMIN_SUFFIXES)


def _add(index: dict[str, set[str]], key: str, unit_id: str) -> None:
    if key:
        index.setdefault(key, set()).add(unit_id)


def _build_lookup(campaign: Campaign) -> _Lookup:
    exact: dict[str, set[str]] = {}
    core: dict[str, set[str]] = {}
    for unit in campaign.units:
        for label in (unit.name, *unit.aliases):
            key = _normalize(label)
            _add(exact, key, unit.id)
            _add(core, _core(key), unit.id)
    return _Lookup(
        exact={k: frozenset(v) for k, v in exact.items()},
        core={k: frozenset(v) for k, v in core.items()},
        names={u.id: u.name for u in campaign.units},
        short_name=campaign.short_name,
        longest_key=max(map(len, [*exact, *core]), default=0),
        resolved={},
    )


def _lookup(campaign: Campaign) -> _Lookup:
    known = _BY_TUPLE.get(campaign.id)
    if known is not None and known[0] is campaign.units and known[1].short_name == campaign.short_name:
        return known[1]
    # the units themselves: an edited alias is seen without a restart; the short name is in the messages
    cache_key = (campaign.id, campaign.short_name, campaign.units)
    if cache_key not in _CACHE:
        _CACHE[cache_key] = _build_lookup(campaign)
    _BY_TUPLE[campaign.id] = (campaign.units, _CACHE[cache_key])
    return _CACHE[cache_key]


def _contained(lookup: _Lookup, text: str) -> set[str]:
    """Units whose name or core (two characters or more) occurs in text: every substring of text up to the
    longest key is looked up, not every key searched in text (6,000 keys for a province)."""
    found: set[str] = set()
    for start in range(len(text)):
        for end in range(start + _MIN_CONTAINED_KEY, min(len(text), start + lookup.longest_key) + 1):
            part = text[start:end]
            found |= lookup.exact.get(part, frozenset()) | lookup.core.get(part, frozenset())
    return found


def resolve_unit(text: object, campaign: Campaign) -> str:
    """Unit id for a name such as "格尔木", "格尔木市交通运输局（盖章）" or "格 尔 木 市"."""
    lookup = _lookup(campaign)
    if not isinstance(text, str):
        return _answer(_resolve(text, lookup))
    answer = lookup.resolved.get(text)
    if answer is None:
        answer = _resolve(text, lookup)
        if len(lookup.resolved) < _MAX_RESOLVED:
            lookup.resolved[text] = answer
    return _answer(answer)


def _answer(answer: str | NormalizeError) -> str:
    if isinstance(answer, NormalizeError):
        raise NormalizeError(str(answer))
    return answer


def _resolve(text: object, lookup: _Lookup) -> str | NormalizeError:
    key = _normalize(text)
    if not key:
        return NormalizeError("单位名称为空：应填写本专项整治的单位名称")
    for candidates in (lookup.exact.get(key), lookup.core.get(_core(key)), _contained(lookup, key)):
        if not candidates:
            continue
        if len(candidates) == 1:
            return next(iter(candidates))
        names = "、".join(sorted(lookup.names[u] for u in candidates))
        return NormalizeError(f"单位名称“{shown(text)}”同时对应多个单位：{names}；请写明其中一个单位的全称")
    names = list(lookup.names.values())
    known = "、".join(names) if len(names) <= _LISTED_UNITS else \
        "、".join(names[:_LISTED_UNITS]) + f"等 {len(names)} 个单位，全部单位见“县区进度”页"
    return NormalizeError(f"未知单位“{shown(text)}”：应为{lookup.short_name}的单位之一（{known}）")
