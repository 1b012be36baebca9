"""The user access review (21 CFR 11.10(d), 11.300): who has which role, when they last signed in, when
their password last changed, with the facility's ageing and expiry settings, for QA to review and sign.

Plain data in (``AccessReviewRow``), a deterministic letter-size PDF out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from labelapp.render.fonts import REGULAR, register_fonts
from labelapp.render.pdfio import PRODUCER, build_story
from labelapp.render.worksheet.style import grid_table, p

if TYPE_CHECKING:
    from labelapp.render.worksheet.style import Cell

PAGE = (8.5 * 72, 11 * 72)
MARGIN = 0.6 * 72
WIDTH = PAGE[0] - 2 * MARGIN


@dataclass(frozen=True)
class AccessReviewRow:
    username: str
    printed_name: str
    role: str
    state: str  # "active", "disabled", "locked", "must change password" ...
    created: str
    last_sign_in: str
    password_changed: str
    findings: str  # e.g. "password older than 90 days"
    key: str  # public key fingerprint


@dataclass(frozen=True)
class AccessReview:
    facility: str
    register: str
    generated_at: datetime
    generated_by: str
    settings: str  # the ageing, expiry and lock-out settings in force, in words
    rows: Sequence[AccessReviewRow]
    audit_head: tuple[int, str]


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def render_access_review(review: AccessReview) -> bytes:
    """The review as PDF: the account table, the settings in force, and lines for the reviewer's signature."""
    from reportlab.platypus import SimpleDocTemplate, Spacer

    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        invariant=1,
        initialFontName=REGULAR,
        initialFontSize=8,
        title=f"User access review {review.facility}",
        author=PRODUCER,
        creator=PRODUCER,
        producer=PRODUCER,
        subject="21 CFR 11.300 user access review",
        keywords=[],
    )
    header = ["User", "Printed name", "Role", "State", "Created", "Last sign-in", "Password changed", "Findings", "Key"]
    widths = [52, 78, 52, 56, 52, 60, 60, 70, WIDTH - 480]
    table_rows: list[list[Cell]] = [[p(h, "cellbold") for h in header]]
    for r in review.rows:
        table_rows.append(
            [
                p(v, "cell")
                for v in (
                    r.username,
                    r.printed_name,
                    r.role,
                    r.state,
                    r.created,
                    r.last_sign_in,
                    r.password_changed,
                    r.findings or "none",
                    r.key,
                )
            ]
        )
    active = sum(1 for r in review.rows if r.state != "disabled")
    flowables = [
        p("User access review", "h1"),
        p(f"{review.facility}. Register: {review.register}.", "body"),
        p(
            f"Generated {_when(review.generated_at)} by {review.generated_by}; {len(review.rows)} accounts, "
            f"{active} not disabled. Audit head at generation: entry {review.audit_head[0]}, SHA-256 "
            f"{review.audit_head[1]}.",
            "small",
        ),
        p(f"Settings in force: {review.settings}", "small"),
        Spacer(1, 6),
        grid_table(table_rows, widths),
        Spacer(1, 10),
        p(
            "Review: every account belongs to a current employee who needs that role; no one holds two roles that "
            "the two-person rule separates; findings are followed up (disable, reset, re-train).",
            "body",
        ),
        Spacer(1, 14),
        p(
            "Reviewed by (QA): ______________________________   Date: ______________   "
            "Signature: ______________________________",
            "body",
        ),
    ]
    build_story(lambda: doc.build(flowables))
    return buffer.getvalue()
