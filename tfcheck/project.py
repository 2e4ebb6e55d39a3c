"""Where tfcheck lives on the web: one place for the links every surface prints."""

from __future__ import annotations

HOMEPAGE = "https://github.com/tfcheck/tfcheck"
RULES_DOCS = HOMEPAGE + "/blob/main/docs/rules"


def rule_page(rule_id: str) -> str:
    """The rule's page in docs/rules/, linked from SARIF helpUri, Markdown and `explain`."""
    return f"{RULES_DOCS}/{rule_id}.md"
