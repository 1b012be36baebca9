"""The sections of the batch production record, each a small function returning flowables.

Computed values come from the BatchComputation with their working; blanks are left for what is
recorded on the floor (actual weights, times, results) unless the record already holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from labelapp.calc.format import fmt_number
from labelapp.calc.strength import BASIS_WORDS
from labelapp.domain.batch import BatchFile, ComponentLot
from labelapp.domain.results import BatchComputation
from labelapp.render.worksheet.inputs import (
    SIGNATURE_STEPS,
    AcknowledgementManifestation,
    ReconciliationCounts,
    SignatureManifestation,
)
from labelapp.render.worksheet.style import ROW_HEIGHT, data, grid_table, p

if TYPE_CHECKING:
    from reportlab.platypus import Flowable, Paragraph, Table

    from labelapp.render.worksheet.style import Cell

WIDTH = 7.3 * 72  # frame width of the letter page with 0.6 in margins
BLANK = ""


@dataclass(frozen=True)
class Signatures:
    """Signature records by worksheet step; unknown steps are kept for the manifest."""

    records: tuple[SignatureManifestation, ...]

    def for_step(self, step: str) -> list[SignatureManifestation]:
        return [r for r in self.records if r.step == step]

    def cell(self, step: str) -> Cell:
        """The manifestation(s) signed for this step, or an empty box to sign by hand."""
        found = self.for_step(step)
        if found:
            return p("; ".join(r.manifestation() for r in found), "cell")
        return BLANK


def heading(text: str) -> Paragraph:
    return p(text, "h2")


def summary(bf: BatchFile, comp: BatchComputation, *, on_paper: bool = True) -> list[Flowable]:
    """The batch. ``on_paper``: with the lines the floor fills in by hand (start time, room); the
    executed record leaves them out (its steps carry the times)."""
    f, b = bf.formula, bf.batch
    lot = comp.lot_number + (
        " (provisional: from the lot pattern; the register allocates the final lot)" if comp.lot_provisional else ""
    )
    use = (
        f"named patient: {b.patient_name}, order {b.order_number}"
        if b.patient_name
        else "office use (no named patient)"
    )
    rows = [
        ("Product", f"{comp.product_name}, {f.dosage_form}"),
        ("Strength", comp.strength_text),
        ("Route", f.route),
        ("Master formula", f"{f.id} version {f.version} (product code {f.product_code})"),
        ("Lot", lot),
        ("Container / closure", f"{comp.package_text} {f.container.closure}".strip()),
        (
            "Batch size",
            f"{b.units} units planned; batch volume {comp.batch_volume_text} "
            f"({fmt_number(b.allowance_percent)}% allowance)",
        ),
        ("Target fill", fill_text(bf)),
        (
            "Compounded",
            f"{comp.compounded_text.removeprefix('Compounded ')} by {b.compounded_by}"
            + (f"; verified by {b.verified_by}" if b.verified_by else ""),
        ),
        ("Expiration", f"{comp.expiration_text}. {comp.expiry.basis}"),
        ("Storage", f.storage.statement),
        ("Label 2D code", comp.barcode.basis),
        ("Order", use),
    ]
    if on_paper:
        rows += [("Started (date/time)", BLANK), ("Room / ISO class", BLANK)]
    table = grid_table([[p(k, "cellbold"), p(v, "cell")] for k, v in rows], [110, WIDTH - 110], header_rows=0)
    return [heading("1. Batch"), table]


def fill_text(bf: BatchFile) -> str:
    c = bf.formula.container
    excess = c.fill_volume_ml - c.nominal_volume_ml
    return (
        f"{fmt_number(c.fill_volume_ml)} mL per unit (labeled {fmt_number(c.nominal_volume_ml)} mL "
        f"+ {fmt_number(excess)} mL excess, USP <1151>)"
    )


def computed(comp: BatchComputation, acknowledgements: Sequence[AcknowledgementManifestation] = ()) -> list[Flowable]:
    rows: list[list[Cell]] = [[p("Value", "cellbold"), p("Working", "cellbold"), p("Result", "cellbold")]]
    rows += [[p(w.label, "cell"), p(w.expression, "cell"), p(w.result, "cell")] for w in comp.workings]
    out: list[Flowable] = [
        heading("2. Computed values and their working"),
        grid_table(rows, [120, WIDTH - 120 - 110, 110]),
    ]
    out += strength_choices(comp)
    out.append(
        p(
            f"Osmolarity {comp.osmolarity_text}: {comp.tonicity.category}. "
            f"Ingredients (label): {comp.ingredients_text}",
            "small",
        )
    )
    acknowledged = {a.message for a in comp.acknowledgements_required}
    cautions = [w for w in comp.warnings if w not in acknowledged]
    out += plausibility(comp, acknowledgements)
    if cautions:
        out.append(p("Cautions raised by the calculation:", "warn"))
        out += [p(f"\u2022 {w}", "small") for w in cautions]
    return out


def strength_choices(comp: BatchComputation) -> list[Flowable]:
    """Which expression leads each active's strength on the label, and why (docs/domain.md §2.2)."""
    if not comp.strength_choices:
        return []
    rows: list[list[Cell]] = [[p(h, "cellbold") for h in ("Active", "Strength leads in", "Why")]]
    rows += [
        [p(c.component, "cell"), p(BASIS_WORDS[c.basis], "cell"), p(c.reason, "cell")] for c in comp.strength_choices
    ]
    lines = "; ".join(comp.strength_lines)
    if comp.strength_secondary_text:
        lines += f" (followed by: {comp.strength_secondary_text})"
    return [
        p(f"Label strength: {lines}", "small"),
        grid_table(rows, [120, 70, WIDTH - 190]),
    ]


def plausibility(
    comp: BatchComputation, acknowledgements: Sequence[AcknowledgementManifestation] = ()
) -> list[Flowable]:
    """Findings a pharmacist must acknowledge before labels are printed, each with its acknowledgement
    (who, when, why) or "not yet acknowledged" (docs/domain.md §4.8). An acknowledgement of a finding that
    has since changed (another value, another limit) is still printed, as history."""
    if not comp.acknowledgements_required and not acknowledgements:
        return []
    out: list[Flowable] = [p("Plausibility: a pharmacist must acknowledge each finding before labels print:", "warn")]
    shown: set[AcknowledgementManifestation] = set()
    for finding in comp.acknowledgements_required:
        out.append(p(f"\u2022 [{finding.code}] {finding.message}", "small"))
        signed = [a for a in acknowledgements if (a.code, a.message) == (finding.code, finding.message)]
        shown.update(signed)
        out += [p(f"\u2014 {a.manifestation()}", "small") for a in signed] or [
            p("\u2014 not yet acknowledged: labels cannot be printed", "warn")
        ]
    earlier = [a for a in acknowledgements if a not in shown]
    if earlier:
        out.append(p("Acknowledged earlier, for a finding that has since changed or gone:", "small"))
        out += [p(f"\u2022 [{a.code}] {a.message} \u2014 {a.manifestation()}", "small") for a in earlier]
    return out


def components(bf: BatchFile, comp: BatchComputation, sigs: Signatures) -> list[Flowable]:
    lots = {lot.lot: lot for lot in bf.batch.component_lots}
    head = [
        "Component (form weighed)",
        "Manufacturer",
        "Lot",
        "Expiry",
        "Potency",
        "Theoretical",
        "Actual",
        "Balance ID",
        "Weighed by",
        "Verified by",
    ]
    rows: list[list[Cell]] = [[p(h, "cellbold") for h in head]]
    for line in comp.amounts:
        lot = lots.get(line.lot or "")
        actual = f"{fmt_number(line.actual_g)} g" if line.actual_g is not None else BLANK
        if line.actual_ml is not None:
            actual = f"{fmt_number(line.actual_ml)} mL"
        rows.append(
            [
                p(f"{line.supplied_form} ({line.role})", "cell"),
                p(lot.manufacturer if lot else BLANK, "cell"),
                p(line.lot or BLANK, "cell"),
                p(lot.expiry.isoformat() if lot else BLANK, "cell"),
                p(_potency_text(lot) if lot else BLANK, "cell"),
                p(line.theoretical_text, "cell"),
                p(actual, "cell"),
                BLANK,
                BLANK,
                BLANK,
            ]
        )
    widths = [80, 60, 62, 48, 42, 64, 44, 38, 37, 50.6]
    return [
        heading("3. Components"),
        grid_table(rows, widths, row_height=None),
        _sign_row(sigs, "weighing", "weighing-verified"),
    ]


def _potency_text(lot: ComponentLot) -> str:
    """'99.8%'; for a lot dosed in USP units its CoA potency in units ('580 units/mg', '10 units/mL')."""
    if lot.potency_units_per_mg is not None:
        return f"{fmt_number(lot.potency_units_per_mg)} units/mg"
    if lot.potency_units_per_ml is not None:
        return f"{fmt_number(lot.potency_units_per_ml)} units/mL"
    return f"{fmt_number(lot.potency_percent)}%"


def _sign_row(sigs: Signatures, performed: str, verified: str) -> Table:
    rows: list[list[Cell]] = [
        [
            p(SIGNATURE_STEPS[performed], "cellbold"),
            sigs.cell(performed),
            p(SIGNATURE_STEPS[verified], "cellbold"),
            sigs.cell(verified),
        ]
    ]
    return grid_table(rows, [110, WIDTH / 2 - 110, 110, WIDTH / 2 - 110], header_rows=0, row_height=None)


EQUIPMENT = [
    "Balance",
    "pH meter",
    "Mixing vessel / stirrer",
    "Sterile filter 0.2/0.22 \u00b5m",
    "Filling equipment",
    "ISO 5 workstation (BSC / isolator)",
]


def equipment() -> list[Flowable]:
    rows: list[list[Cell]] = [
        [p(h, "cellbold") for h in ("Equipment", "ID", "Calibration / cleaning status", "Checked by, date/time")]
    ]
    rows += [[p(name, "cell"), BLANK, BLANK, BLANK] for name in EQUIPMENT]
    return [heading("4. Equipment"), grid_table(rows, [150, 90, 150, WIDTH - 390], row_height=ROW_HEIGHT)]


PRE_USE = [
    "Line clearance of compounding and labeling areas (211.130(e))",
    "Environmental monitoring status acceptable",
    "Room pressure differentials within limits",
    "Garbing per SOP",
]


def pre_use(sigs: Signatures) -> list[Flowable]:
    rows: list[list[Cell]] = [[p(h, "cellbold") for h in ("Check", "Result", "By, date/time")]]
    rows += [[p(text, "cell"), BLANK, BLANK] for text in PRE_USE]
    rows.append([p(SIGNATURE_STEPS["line-clearance"], "cellbold"), BLANK, sigs.cell("line-clearance")])
    return [heading("5. Pre-use checks"), grid_table(rows, [250, 80, WIDTH - 330], row_height=ROW_HEIGHT)]


def _vehicle(comp: BatchComputation) -> str:
    return next((a.supplied_form for a in comp.amounts if a.role == "vehicle"), "the vehicle")


def steps(comp: BatchComputation, sigs: Signatures) -> list[Flowable]:
    vehicle = _vehicle(comp)
    texts = [
        "Verify each component's identity, lot and expiry against the component table.",
        "Weigh each component (amounts in the component table); a second person verifies each weighing (211.101(c)).",
        f"Dissolve the weighed components in about 80% of the final volume of {vehicle}.",
        f"Bring to volume: q.s. to {comp.batch_volume_text} with {vehicle}; mix until uniform.",
        "In-process pH. Specification (master record): ________  Result: ________",
        "Hold time from end of compounding to filtration. Start ______ End ______ (limit per master record, 211.111)",
    ]
    rows: list[list[Cell]] = [
        [p(h, "cellbold") for h in ("#", "Step", "Performed by, date/time", "Verified by, date/time")]
    ]
    rows += [[p(str(i), "cell"), p(t, "cell"), BLANK, BLANK] for i, t in enumerate(texts, 1)]
    return [
        heading("6. Compounding steps"),
        grid_table(rows, [18, 262, 120, WIDTH - 400], row_height=2 * ROW_HEIGHT - 4),
        _sign_row(sigs, "compounding", "compounding-verified"),
    ]


def filtration(sigs: Signatures) -> list[Flowable]:
    rows: list[list[Cell]] = [[p(h, "cellbold") for h in ("Item", "Record", "By, date/time")]]
    items = [
        "Filter manufacturer, type and lot",
        "Pore size: 0.2/0.22 \u00b5m (sterilizing grade)",
        "Pre-use integrity test (optional): method, result, limit",
        "Post-use integrity test (bubble point / diffusion / pressure hold): result",
        "Manufacturer's minimum for the test (from the filter certificate)",
        "Integrity test pass / fail",
    ]
    rows += [[p(t, "cell"), BLANK, BLANK] for t in items]
    rows.append([p(SIGNATURE_STEPS["filtration"], "cellbold"), BLANK, sigs.cell("filtration")])
    return [
        heading("7. Sterile filtration and filter integrity test"),
        grid_table(rows, [230, 150, WIDTH - 380], row_height=ROW_HEIGHT),
    ]


def filling(bf: BatchFile, sigs: Signatures, checks: int = 8) -> list[Flowable]:
    rows: list[list[Cell]] = [
        [
            p(h, "cellbold")
            for h in ("Time", "Unit #", "Net weight (g)", "Volume (mL) = weight / density", "Within limits", "By")
        ]
    ]
    rows += [[BLANK] * 6 for _ in range(checks)]
    out: list[Flowable] = [
        heading("8. Aseptic filling and fill-volume checks"),
        p(
            f"Target fill: {fill_text(bf)}. Check at the frequency in the master record; final "
            "verification per USP <697>.",
            "small",
        ),
        grid_table(rows, [60, 50, 90, 150, 70, WIDTH - 420], row_height=ROW_HEIGHT),
        grid_table(
            [
                [p("Units filled", "cellbold"), BLANK, p("Stoppered and crimped", "cellbold"), BLANK],
                [p("Visual inspection (100%): accepted", "cellbold"), BLANK, p("rejected", "cellbold"), BLANK],
                [
                    p(SIGNATURE_STEPS["filling"], "cellbold"),
                    sigs.cell("filling"),
                    p(SIGNATURE_STEPS["inspection"], "cellbold"),
                    sigs.cell("inspection"),
                ],
            ],
            [120, WIDTH / 2 - 120, 120, WIDTH / 2 - 120],
            header_rows=0,
            row_height=ROW_HEIGHT + 4,
        ),
    ]
    return out


def reconciliation(
    comp: BatchComputation, bf: BatchFile, counts: ReconciliationCounts | None, sigs: Signatures
) -> list[Flowable]:
    def val(attr: str) -> str:
        return str(getattr(counts, attr)) if counts is not None else BLANK

    lines = [
        (
            "A",
            "Labels printed (issued)",
            val("issued"),
            (f"{counts.issued_detail}; " if counts and counts.issued_detail else "")
            + f"{comp.label_count} per run expected",
        ),
        ("B", "Applied to filled units", val("applied"), f"planned {bf.batch.units}"),
        ("C", "Attached to the batch record as specimens", val("specimens"), f"planned {bf.batch.specimen_labels}"),
        (
            "D",
            "On QC / retain units (within B unless the SOP says otherwise)",
            val("retains"),
            f"planned {bf.batch.retain_labels}",
        ),
        ("E", "Damaged or misprinted, destroyed (witnessed)", val("destroyed_damaged"), BLANK),
        ("F", "Unused lot-specific labels, destroyed (witnessed)", val("destroyed_unused"), BLANK),
        ("", "Returned to stores", val("returned"), "should be 0"),
    ]
    rows: list[list[Cell]] = [[p(h, "cellbold") for h in ("", "Line", "Count", "Note")]]
    rows += [[p(k, "cellbold"), p(t, "cell"), p(c, "cell"), p(n, "cell")] for k, t, c, n in lines]
    rows.append(
        [
            BLANK,
            p("Check: A = B + C + E + F + returned", "cellbold"),
            p(_check_text(counts), "cellbold"),
            sigs.cell("label-reconciliation"),
        ]
    )
    spans: list[tuple[int, int]] = []
    if counts is not None and counts.investigation_note:
        rows.append([BLANK, p("Investigation note (211.192)", "cellbold"), data(counts.investigation_note), BLANK])
        spans.append((len(rows) - 1, 2))
    if counts is not None and counts.recorded:
        rows.append([BLANK, p("Recorded in the register", "cellbold"), data(counts.recorded), BLANK])
        spans.append((len(rows) - 1, 2))
    table = grid_table(rows, [16, 250, 80, WIDTH - 346], row_height=ROW_HEIGHT)
    if spans:
        table.setStyle([("SPAN", (col, row), (-1, row)) for row, col in spans])
    return [
        heading("9. Labeling and label reconciliation"),
        p(
            "Labels are printed for this lot only and verified 100% by a second person "
            "(211.122(g)(3)); all excess lot-specific labels are destroyed (211.125(d)).",
            "small",
        ),
        table,
        grid_table(
            [[p(SIGNATURE_STEPS["labeling"], "cellbold"), sigs.cell("labeling")]],
            [200, WIDTH - 200],
            header_rows=0,
            row_height=ROW_HEIGHT + 4,
        ),
    ]


def _check_text(counts: ReconciliationCounts | None) -> str:
    if counts is None:
        return BLANK
    if counts.balanced:
        return f"{counts.issued} = {counts.accounted}: balanced"
    return f"{counts.issued} vs {counts.accounted}: DISCREPANCY of {counts.difference}; investigate (211.192)"


def yield_section(comp: BatchComputation, sigs: Signatures) -> list[Flowable]:
    rows: list[list[Cell]] = [
        [
            p("Theoretical yield", "cellbold"),
            p(f"{comp.theoretical_yield_units} units (batch volume allows {comp.max_fills} fills)", "cell"),
        ],
        [p("Actual units filled", "cellbold"), BLANK],
        [p("Units accepted after inspection", "cellbold"), BLANK],
        [p("% of theoretical = accepted / theoretical x 100", "cellbold"), BLANK],
        [p("Limits (master record, 211.186(b)(7))", "cellbold"), p("min ____ %   max ____ %", "cell")],
        [p("Reconciliation: filled = labeled + rejects + QC samples + retains", "cellbold"), BLANK],
        [p(SIGNATURE_STEPS["yield"], "cellbold"), sigs.cell("yield")],
        [p(SIGNATURE_STEPS["yield-verified"], "cellbold"), sigs.cell("yield-verified")],
    ]
    return [heading("10. Yield"), grid_table(rows, [250, WIDTH - 250], header_rows=0, row_height=ROW_HEIGHT)]


def qc(comp: BatchComputation, sigs: Signatures) -> list[Flowable]:
    tests = [
        ("Sterility", "USP <71>", "No growth"),
        ("Bacterial endotoxins", "USP <85>", "Limit K/M per master record: ______ EU/mL"),
        ("pH", "USP <791>", "Per master record"),
        ("Appearance / colour", "Visual", "Per master record"),
        (
            "Particulate matter",
            "USP <788>",
            "\u2264 6,000 \u2265 10 \u00b5m and \u2264 600 \u2265 25 \u00b5m per container",
        ),
        ("Assay / potency", "Per specification", "Per master record"),
        ("Osmolality (measured)", "USP <785>", f"Compare with {comp.osmolarity_text}"),
    ]
    rows: list[list[Cell]] = [[p(h, "cellbold") for h in ("Test", "Method", "Specification", "Result", "By, date")]]
    rows += [[p(t, "cell"), p(m, "cell"), p(s, "cell"), BLANK, BLANK] for t, m, s in tests]
    rows.append([p(SIGNATURE_STEPS["qc-review"], "cellbold"), BLANK, BLANK, BLANK, sigs.cell("qc-review")])
    return [
        heading("11. QC sampling and release testing"),
        grid_table(rows, [100, 70, 160, 90, WIDTH - 420], row_height=ROW_HEIGHT + 2),
    ]


def deviations() -> list[Flowable]:
    rows: list[list[Cell]] = [
        [p(h, "cellbold") for h in ("Deviation / investigation reference", "Description", "CAPA")]
    ]
    rows += [[BLANK, BLANK, BLANK] for _ in range(3)]
    return [
        heading("12. Deviations and investigations"),
        grid_table(rows, [150, 230, WIDTH - 380], row_height=ROW_HEIGHT),
    ]


def release(sigs: Signatures) -> list[Flowable]:
    """QA's disposition: boxes to tick on paper, or, once QA has e-signed, the decision as signed (never
    an empty box under a signature)."""
    signed = sigs.for_step("qa-release")
    decision: Cell = (
        p("; ".join(f"{r.meaning.upper()} (e-signed below)" for r in signed), "cellbold")
        if signed
        else p("[   ] Approved for release        [   ] Rejected", "cell")
    )
    rows: list[list[Cell]] = [
        [p("Disposition", "cellbold"), decision],
        [p(SIGNATURE_STEPS["qa-release"], "cellbold"), sigs.cell("qa-release")],
    ]
    out: list[Flowable] = [
        heading("13. QA review and release"),
        p(
            "The quality unit reviews every production, control, packaging and labeling record "
            "of this batch before release; any unexplained discrepancy is investigated "
            "(211.192).",
            "small",
        ),
        grid_table(rows, [150, WIDTH - 150], header_rows=0, row_height=ROW_HEIGHT + 6),
    ]
    if signed:
        out.append(
            p(
                "This batch is executed on the paper worksheet: its recorded values, QC results, yield and "
                "deviations are on the handwritten pages, which belong with this printout and which QA reviews "
                "before signing (211.192). This printout carries the electronic signatures.",
                "small",
            )
        )
    return out


def statements(
    bf: BatchFile, comp: BatchComputation, audit_anchor: tuple[int, str] | None = None, title: str = "15. Statements"
) -> list[Flowable]:
    f = bf.facility
    fei = f" (FEI {f.fei})" if f.fei else ""
    anchor = (
        []
        if audit_anchor is None
        else [
            p(
                f"Audit trail when this record was printed: entry {audit_anchor[0]}, SHA-256 {audit_anchor[1]} "
                f"(check with: labelapp audit verify --anchor {audit_anchor[0]}:{audit_anchor[1]})",
                "body",
            )
        ]
    )
    return [
        heading(title),
        p(
            f"This is a compounded drug, compounded by {f.name}{fei}, {f.address}, Tel. {f.phone}, "
            "an outsourcing facility under section 503B of the Federal Food, Drug, and "
            "Cosmetic Act. Not for resale.",
            "body",
        ),
        p(f"Storage and handling: {bf.formula.storage.statement}", "body"),
        p(f"Expiration: {comp.expiration_text} ({comp.expiry.basis})", "body"),
        *anchor,
    ]


def manifest(sigs: Signatures) -> list[Flowable]:
    if not sigs.records:
        return []
    rows: list[list[Cell]] = [
        [p(h, "cellbold") for h in ("Printed name", "Role", "Meaning", "Date/time (UTC)", "Record step")]
    ]
    for r in sigs.records:
        step = SIGNATURE_STEPS.get(r.step or "", r.step or "(none)")
        rows.append(
            [p(r.name, "cell"), p(r.role, "cell"), p(r.meaning, "cell"), p(r.utc_text(), "cell"), p(step, "cell")]
        )
    return [heading("16. Electronic signatures (21 CFR 11.50)"), grid_table(rows, [110, 80, 110, 90, WIDTH - 390])]


def signatures_of(records: Sequence[SignatureManifestation]) -> Signatures:
    return Signatures(tuple(records))
