"""Every text of the web pages has its Chinese translation (pages are Chinese by default)."""

from __future__ import annotations

import re

from appraisal.evidence.pages import CHANNELS
from appraisal.web import TEMPLATES_DIR, translations


def test_every_page_text_is_translated() -> None:
    texts = set()
    for template in TEMPLATES_DIR.glob("*.html"):
        texts |= set(re.findall(r'_\("([^"]+)"\)', template.read_text(encoding="utf-8")))
    # Codes (methods, severities, states, grades) are shown by their labels, which have
    # both languages in one table: tests/unit/test_labels.py.
    zh = translations("zh")
    assert len(texts) > 50
    untranslated = sorted(t for t in texts if zh.gettext(t) == t)
    assert untranslated == []
    assert CHANNELS[0] == "电话"  # channels are entered in Chinese, as customers say them


def test_every_plural_page_text_is_translated() -> None:
    """Counts shown with a noun take ngettext (English "1 item", "2 items"): both forms
    are one entry of zh.po, which has a single form."""
    pairs = set()
    for template in TEMPLATES_DIR.glob("*.html"):
        pairs |= set(re.findall(r'ngettext\("([^"]+)", "([^"]+)"',
                                template.read_text(encoding="utf-8")))
    zh = translations("zh")
    assert pairs
    assert sorted(p for p in pairs if zh.ngettext(*p, 1) in p or zh.ngettext(*p, 2) in p) == []
