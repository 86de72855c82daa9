"""The header vocabulary (data/vocabulary.toml): which header texts mean which field, per sheet kind.

A header cell is compared after normalisation (full-width → half-width, no whitespace or line
breaks, no punctuation, no leading question number such as "3、" or "第3题", no trailing "："),
first against the field's synonyms, then by word parts ("受理|来电" + "时间|日期").
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

VOCABULARY_FILE = Path(__file__).resolve().parents[2] / "data" / "vocabulary.toml"
KINDS = ("ledger", "leads", "survey", "survey_scores")
DIM_PREFIX = "dim:"

# How a column was matched, strongest first; the score decides between two candidate columns.
SYNONYM, PARTS, CONTAINS = "词表", "含义", "包含"
_SCORE = {SYNONYM: 300, PARTS: 200, CONTAINS: 100}

_NUMBERING = re.compile(r"^(?:第?\d{1,3}\s*[题、.．:：)）]|[（(]\d{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．])\s*")
_QUESTION_TAIL = re.compile(r"(?:[（(]\s*(?:单选题|多选题|单选|多选|必答|必填|填空题)\s*[)）]|\*)+\s*$")
_PUNCT = re.compile(r"[\s\u3000：:（）()、，,。.．/／\\\-—_*＊\"“”'‘’【】\[\]《》<>？?！!;；·%％]+")


def norm_header(text: object) -> str:
    """Header text for comparison: see the module docstring."""
    if text is None:
        return ""
    return _norm(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip()
    s = _QUESTION_TAIL.sub("", s)
    s = _NUMBERING.sub("", s)
    return _PUNCT.sub("", s)


@dataclass(frozen=True)
class FieldRule:
    name: str
    label: str
    synonyms: tuple[str, ...]  # normalised, in priority order
    parts: tuple[tuple[tuple[str, ...], ...], ...]  # alternatives → groups → words
    exclude: tuple[str, ...]
    values: str | None
    repeat: bool

    def match(self, header: str) -> tuple[str, int] | None:
        """(how, score) for a normalised header, or None."""
        if not header:
            return None
        if header in self.synonyms:
            return SYNONYM, _SCORE[SYNONYM] - self.synonyms.index(header)
        excluded = any(w in header for w in self.exclude)
        if not excluded:
            for groups in self.parts:
                hits = [next((w for w in group if w in header), None) for group in groups]
                if all(hits):
                    return PARTS, _SCORE[PARTS] + sum(len(h) for h in hits)
        # A question text that contains a synonym ("您的身份是？" contains 身份): weaker.
        contained = [s for s in self.synonyms if len(s) >= 2 and s in header]
        if contained and not excluded:
            return CONTAINS, _SCORE[CONTAINS] + max(len(s) for s in contained)
        return None


@dataclass(frozen=True)
class KindRule:
    name: str
    label: str
    fields: tuple[FieldRule, ...]
    qualifies: tuple[tuple[str, ...], ...]
    min_dims: int
    option_number_markers: frozenset[str] = frozenset()  # survey platform exports: numbers are option numbers
    any_word: re.Pattern | None = None  # every word a field of this kind can match on: a quick first test

    def may_match(self, header: str) -> bool:
        return self.any_word is None or self.any_word.search(header) is not None

    def field(self, name: str) -> FieldRule | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Vocabulary:
    kinds: dict[str, KindRule]
    ignore: frozenset[str]
    dimension_aliases: dict[str, tuple[str, ...]]
    not_unit_headers: tuple[str, ...] = ()  # a column with these words is never the unit by its values
    unit_by_values_kinds: frozenset[str] = frozenset()  # kinds whose unit column may be found by values

    def label(self, kind: str, field: str) -> str:
        if field.startswith(DIM_PREFIX):
            return field[len(DIM_PREFIX):]
        rule = self.kinds[kind].field(field.split("_")[0] if field.startswith("phone_") else field)
        return rule.label if rule else field

    def field_choices(self, kind: str) -> list[str]:
        return [f.name for f in self.kinds[kind].fields]


def _groups(alternative: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(norm_header(w) for w in group.split("|") if norm_header(w)) for group in alternative)


def parse_vocabulary(data: dict) -> Vocabulary:
    kinds = {}
    for kind, spec in data["kinds"].items():
        fields = tuple(
            FieldRule(
                name=name,
                label=f.get("label", name),
                synonyms=tuple(dict.fromkeys(norm_header(s) for s in f.get("synonyms", ()))),
                parts=tuple(_groups(alt) for alt in f.get("parts", ())),
                exclude=tuple(norm_header(w) for w in f.get("exclude", ())),
                values=f.get("values"),
                repeat=bool(f.get("repeat", False)),
            )
            for name, f in spec["fields"].items()
        )
        words = {w for f in fields for w in f.synonyms} | {w for f in fields for alt in f.parts for g in alt for w in g}
        any_word = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w))
        kinds[kind] = KindRule(kind, spec.get("label", kind), fields,
                               tuple(tuple(q) for q in spec.get("qualifies", ())), int(spec.get("min_dims", 0)),
                               frozenset(norm_header(m) for m in spec.get("option_number_markers", ())), any_word)
    return Vocabulary(
        kinds=kinds,
        ignore=frozenset(norm_header(h) for h in data.get("ignore", {}).get("headers", ())),
        dimension_aliases={k: tuple(norm_header(a) for a in v) for k, v in data.get("dimensions", {}).items()},
        not_unit_headers=tuple(norm_header(w) for w in data.get("values", {}).get("not_unit_headers", ())),
        unit_by_values_kinds=frozenset(data.get("values", {}).get("unit_by_values_kinds", ())),
    )


@cache
def _load(path: str, mtime: float) -> Vocabulary:
    with open(path, "rb") as f:
        return parse_vocabulary(tomllib.load(f))


_current: list = []  # [Vocabulary] of the default file, as of the last refresh_vocabulary()


def refresh_vocabulary() -> Vocabulary:
    """Re-read data/vocabulary.toml if it changed since the last call (once per file read)."""
    vocab = _load(str(VOCABULARY_FILE), VOCABULARY_FILE.stat().st_mtime)
    if not _current or _current[0] is not vocab:
        _current[:] = [vocab]
        for hook in ON_VOCABULARY_CHANGE:
            hook()
    return vocab


ON_VOCABULARY_CHANGE: list = []  # caches derived from the vocabulary register their clear() here


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """The vocabulary: the given file, else data/vocabulary.toml as of the last refresh."""
    if path is not None:
        path = Path(path)
        return _load(str(path), path.stat().st_mtime)
    return _current[0] if _current else refresh_vocabulary()


def match_dimension(header: str, dimensions: tuple[str, ...], vocab: Vocabulary) -> str | None:
    """The campaign dimension a (normalised) survey header is about, or None.

    The dimension's own name contained in the header wins; then the aliases, longest first.
    Two dimensions named in one header → None (never guess between two).
    """
    if not header:
        return None
    named = [d for d in dimensions if norm_header(d) in header]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        return None
    best: list[tuple[int, str]] = []
    for d in dimensions:
        hits = [len(a) for a in vocab.dimension_aliases.get(d, ()) if a and a in header]
        if hits:
            best.append((max(hits), d))
    best.sort(reverse=True)
    if best and (len(best) == 1 or best[0][0] > best[1][0]):
        return best[0][1]
    return None
