"""Reading the masthead of a UN document: the facts the UN prints above its text.

Every UN document opens the same way in all six languages: the Organization's
name and the document's symbol, the organ, the distribution ("Distr.: General"),
the issue date, the language of this version and "Original:", the job number
and barcode, then the session, the agenda item and its title, and for a
resolution "Resolution adopted by the General Assembly on …". That block is
the most reliable source of an uncatalogued document's facts (its own symbol,
not the first symbol its text mentions), and none of it is citable text:
`read` returns the facts and the raw spans of the masthead lines, which
`clean` drops.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as _date
from typing import Optional

from .loaders import PAGE_BREAK

UN_NAMES = ("United Nations", "Naciones Unidas", "Nations Unies", "Organización de las Naciones Unidas",
            "Организация Объединенных Наций", "الأمم المتحدة", "联合国")
ORGANS = {
    "General Assembly": ("General Assembly", "Asamblea General", "Assemblée générale", "Генеральная Ассамблея",
                         "الجمعية العامة", "大会"),
    "Security Council": ("Security Council", "Consejo de Seguridad", "Conseil de sécurité", "Совет Безопасности",
                         "مجلس الأمن", "安全理事会"),
    "Economic and Social Council": ("Economic and Social Council", "Consejo Económico y Social",
                                    "Conseil économique et social", "Экономический и Социальный Совет",
                                    "المجلس الاقتصادي والاجتماعي", "经济及社会理事会"),
}
DISTRIBUTIONS = {"general": "General", "générale": "General", "limited": "Limited", "limitada": "Limited",
                 "limitée": "Limited", "restricted": "Restricted", "reservada": "Restricted",
                 "restreinte": "Restricted", "общая": "General", "ограниченная": "Limited"}
# The language of a version, as its masthead names it (in English or in the language itself).
VERSION_NAMES = {
    "en": ("English", "Anglais", "Inglés"), "es": ("Spanish", "Español", "Espagnol"),
    "fr": ("French", "Français", "Francés"), "ru": ("Russian", "Русский", "Russe", "Ruso"),
    "ar": ("Arabic", "عربي", "العربية", "Arabe", "Árabe"), "zh": ("Chinese", "中文", "Chinois", "Chino"),
}
# The job number's letter is the version's language: "23-24434 (E)", "24-08832 (S)".
JOB_LANGUAGES = {"E": "en", "S": "es", "F": "fr", "R": "ru", "A": "ar", "C": "zh"}
MONTHS = {
    "en": "january february march april may june july august september october november december",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "ar": "يناير فبراير مارس أبريل مايو يونيه يوليه أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
}
_MONTH_NUMBER = {m: i for names in MONTHS.values() for i, m in enumerate(names.split(), 1)}
_MONTH_NUMBER.update({"setiembre": 9, "يونيو": 6, "يوليو": 7, "avril": 4})
_MONTH = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
# "6 December 2023", "6 de diciembre de 2023", "1er décembre 2023", "6 декабря 2023 года",
# "4 كانون الأول/ديسمبر 2023" (the Levantine name, a slash, the Egyptian one), "2023年12月4日".
DATE_RE = re.compile(rf"\b(\d{{1,2}})(?:er)?\s+(?:de\s+)?(?:[^\W\d_]+(?:\s[^\W\d_]+)?/\s*)?({_MONTH})"
                     rf"\s+(?:de\s+)?((?:19|20)\d\d)\b|((?:19|20)\d\d)\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日",
                     re.I)
# The adoption line: the date after (or, in Chinese, before) these words is the adoption date.
ADOPTED_RE = re.compile(r"adopted by|adoptée? par|aprobad[oa] por|принят\w*|اتخذ\w*|通过的", re.I)
SYMBOL_RE = re.compile(r"(?<![\w/])([A-Z]{1,8}(?:\.\d+)?(?:/[A-Za-z0-9][A-Za-z0-9.\-]*)+(?: \(\d{4}\))?)(?![\w/])")
JOB_RE = re.compile(r"^(\d{2}-\d{5})\s*(?:\(([A-Z])\))?(?:\s+\d{6})?(?:\s+\*\d{6,}\*)?$")
BARCODE_RE = re.compile(r"^\*\d{6,}\*$")
DISTR_RE = re.compile(r"^Distr\.?\s*:?\s*(\w+)", re.I)
ORIGINAL_RE = re.compile(r"^(?:Original|Оригинал|الأصل|原文)\s*[:：]", re.I)
_LANGUAGE_WORDS = "|".join(sorted({n for names in VERSION_NAMES.values() for n in names}, key=len, reverse=True))
LANGUAGE_LIST_RE = re.compile(rf"^(?:(?:{_LANGUAGE_WORDS})\s*/?\s*)+$", re.I)
SESSION_RE = re.compile(r"\bsession$|substantive session|período de sesiones|\bsession\b.*\d{4}|сесси[яи]|"
                        r"^الدورة|届会议|^New York,|^Nueva York,|^Genève|^Geneva,|^Vienna,|^Viena,", re.I)
COMMITTEE_RE = re.compile(r"^(?:First|Second|Third|Fourth|Fifth|Sixth) Committee$|^(?:Primera|Segunda|Tercera|"
                          r"Cuarta|Quinta|Sexta) Comisión$|^(?:Première|Deuxième|Troisième|Quatrième|Cinquième|"
                          r"Sixième) Commission$|^(?:Первый|Второй|Третий|Четвертый|Пятый|Шестой) комитет$|"
                          r"^اللجنة (?:الأولى|الثانية|الثالثة|الرابعة|الخامسة|السادسة)$|^第[一二三四五六]委员会$")
AGENDA_RE = re.compile(r"^(?:Agenda items?|Temas? \d|Points? \d|Пункты? \d|البنود? \d|议程项目)", re.I)
# "Singapore: draft resolution", "Chile y México: proyecto de resolución", "Проект резолюции".
DRAFT_RE = re.compile(r"(?:^|:\s*)(?:revised )?(?:draft (?:resolution|decision)|proyecto de (?:resolución|decisión)|"
                      r"projet de (?:résolution|décision)|проект (?:резолюции|решения)|مشروع (?:قرار|مقرر)|"
                      r"(?:决议|决定)草案)\s*$", re.I)
REPORT_OF_RE = re.compile(r"^\[(?:on the report|sobre la base del informe|sur la base du rapport|по докладу|"
                          r"بناء على تقرير|根据).*\]?$", re.I)
# A corrigendum's heading, below the title: "Corrigendum", "Rectificatif", "Исправление" …
CORRIGENDUM_RE = re.compile(r"^(?:Corrigendum|Rectificatif|Corrección|Исправление|تصويب|更正)$", re.I)
NUMBERED_TITLE_RE = re.compile(r"^(?:\d+/\d+|[A-Z]+-\d+/\d+)(?:\.|\s+[-–])\s+\S")  # "78/16." (ar: "78/16 -")
OPENING_RE = re.compile(r"^(?:The|La|L['’]|Le|Les|Генеральная|Совет|إن|大会|安全理事会)\b.{0,40}[,،，:]$")
MASTHEAD_LINES = 60  # where a text file has no page breaks, the masthead is in its first lines

_DIGITS = str.maketrans("０１２３４５６７８９٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 3)


def ascii_digits(text: str) -> str:
    """Full-width and Arabic-Indic digits as ASCII: for reading numbers, never for quoted text."""
    return text.translate(_DIGITS)


@dataclass(frozen=True)
class Masthead:
    """What a UN masthead says; empty strings where it is silent."""

    symbol: str
    organ: str = ""
    distribution: str = ""  # General, Limited or Restricted
    date: str = ""  # the issue date, YYYY-MM-DD
    adopted: str = ""  # the adoption date of a resolution or decision, YYYY-MM-DD
    language: str = ""  # the language of this version
    original: str = ""  # the "Original:" line as printed
    title: str = ""
    draft: bool = False  # a draft resolution or decision ("L." document, "…: draft resolution")
    spans: tuple[tuple[int, int], ...] = ()  # raw offsets of the masthead's lines

    @property
    def doc_date(self) -> str:
        """The date a document is cited by: adoption for resolutions and decisions, else issue."""
        return self.adopted or self.date


def parse_date(text: str) -> str:
    """The first date in `text`, in any of the six languages, as YYYY-MM-DD ("" if none)."""
    for m in DATE_RE.finditer(ascii_digits(text)):
        if m.group(4):
            y, mo, d = int(m.group(4)), int(m.group(5)), int(m.group(6))
        else:
            y, mo, d = int(m.group(3)), _MONTH_NUMBER[m.group(2).lower()], int(m.group(1))
        try:
            return _date(y, mo, d).isoformat()
        except ValueError:
            continue
    return ""


def _organ(line: str) -> str:
    return next((name for name, forms in ORGANS.items() if line in forms), "")


def _version_language(line: str) -> str:
    return next((code for code, names in VERSION_NAMES.items() if line.lower() in map(str.lower, names)), "")


@dataclass
class _Line:
    start: int
    end: int
    text: str


def _first_page(raw: str) -> list[_Line]:
    lines, pos = [], 0
    page = raw.split(PAGE_BREAK, 1)[0] if PAGE_BREAK in raw else raw
    for n, chunk in enumerate(page.split("\n")):
        if n >= MASTHEAD_LINES and PAGE_BREAK not in raw:
            break
        stripped = chunk.strip()
        lead = len(chunk) - len(chunk.lstrip())
        lines.append(_Line(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(chunk) + 1
    return lines


def read(raw: str) -> Optional[Masthead]:
    """The masthead at the top of `raw`, or None when the document has none.

    A masthead is recognised by the Organization's name (in any of the six
    languages) or a "Distr." line, beside a document symbol, in the first lines.
    """
    lines = _first_page(raw)
    content = [ln for ln in lines if ln.text]
    head = content[:8]
    named = any(any(ln.text.startswith(n) or ln.text.endswith(n) for n in UN_NAMES) for ln in head)
    distr = any(DISTR_RE.match(ln.text) for ln in content[:12])
    if not (named or distr):
        return None
    symbol = ""
    for ln in head[:4]:
        text = ln.text
        for n in UN_NAMES:
            text = text.replace(n, " ")
        m = SYMBOL_RE.search(text)
        if m and "/" in m.group(1):
            symbol = m.group(1)
            break
    if not symbol:
        return None
    facts: dict = {"symbol": symbol}
    spans: list[tuple[int, int]] = []
    zone = "masthead"  # masthead -> (after the job number) item -> title -> done
    in_block = after_distr = adopting = gap = False
    title: list[str] = []
    numbered = False
    for ln in lines:
        t = ln.text
        if not t:
            in_block, gap = False, True
            if zone == "title" and title and (not numbered or len(title) >= 8):
                zone = "done"  # a resolution's numbered title may go on after a blank, up to its formula
            continue
        if zone == "done":
            break
        furniture = _furniture(t, symbol, facts, after_distr)
        after_distr = bool(DISTR_RE.match(t)) or (after_distr and not facts.get("date"))
        if zone == "title":
            if OPENING_RE.match(t) or len(title) >= 8:
                break
            if gap and (CORRIGENDUM_RE.match(t) or t.endswith((".", ";", ":", "»", "。"))):
                break  # after a blank, only more of a title continues a numbered title
            title.append(t)
            gap = False
            continue
        if furniture:
            if furniture == "job":
                zone, in_block = "item", True
            elif furniture in ("session", "agenda"):
                in_block = True
            elif furniture == "adopted":
                in_block = adopting = True
            spans.append((ln.start, ln.end))
            continue
        if zone in ("masthead", "item") and (DRAFT_RE.search(t) or REPORT_OF_RE.match(t)):
            facts["draft"] = facts.get("draft") or bool(DRAFT_RE.search(t))
            spans.append((ln.start, ln.end))
            in_block = False  # the title follows, with or without a blank line between
            continue
        if OPENING_RE.match(t):
            break
        if in_block and not NUMBERED_TITLE_RE.match(t):  # the rest of a block: the body's name, the item's title
            if adopting and not facts.get("adopted") and parse_date(t):
                facts["adopted"] = parse_date(t)  # "Resolution adopted by the General Assembly" / "on 4 December 2023"
            spans.append((ln.start, ln.end))
            continue
        zone, numbered = "title", bool(NUMBERED_TITLE_RE.match(t))
        title.append(t)
    facts["title"] = " ".join(title) if numbered or title else ""
    return Masthead(spans=tuple(spans), **facts)


def _furniture(t: str, symbol: str, facts: dict, after_distr: bool) -> str:
    """What kind of masthead line `t` is ("" when it is none), recording the facts it gives."""
    if any(t.startswith(n) for n in UN_NAMES) or t == symbol or (t.endswith(symbol) and len(t) < 80):
        return "name"
    organ = _organ(t)
    if organ:
        facts.setdefault("organ", organ)
        return "organ"
    m = DISTR_RE.match(t)
    if m:
        facts["distribution"] = DISTRIBUTIONS.get(m.group(1).lower(), m.group(1))
        rest = parse_date(t)
        if rest:
            facts["date"] = rest
        return "distr"
    if after_distr and not facts.get("date") and parse_date(t) and len(t) < 40:
        facts["date"] = parse_date(t)
        return "date"
    lang = _version_language(t)
    if lang:
        facts.setdefault("language", lang)
        return "language"
    if ORIGINAL_RE.match(t):
        facts["original"] = t
        return "original"
    if LANGUAGE_LIST_RE.match(t):
        return "original"
    m = JOB_RE.match(ascii_digits(t))
    if m:
        if m.group(2) in JOB_LANGUAGES:
            facts["language"] = JOB_LANGUAGES[m.group(2)]  # the job number's letter is the surest sign
        return "job"
    if BARCODE_RE.match(t):
        return "job"
    if ADOPTED_RE.search(t) and len(t) < 160:
        m = ADOPTED_RE.search(t)
        when = parse_date(t[m.end():]) or parse_date(t)
        if when or re.search(r"(?:Resolution|Decision|Resolución|Decisión|Résolution|Décision|Резолюция|Решение|"
                             r"قرار|مقرر|决议|决定)", t):
            if when:
                facts["adopted"] = when
            return "adopted"
    if COMMITTEE_RE.match(t) or SESSION_RE.search(t):
        return "session"
    if AGENDA_RE.match(t):
        return "agenda"
    return ""
