"""The executed batch record, rendered from in-memory inputs: page 1 is the review by exception (QA's decision
and signature, every exception or "No exceptions"), then every entry with who and when, corrections struck
through, the yield, reconciliation with its note, QC with PASS/FAIL; all of it plain text that wraps in its
cell, at least 7 pt, Liberation Sans only, the same bytes for the same inputs."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta, timezone

from executed_helpers import T0, clean_entries, deviation, entry, executed, glycine_executed, signature
from render_helpers import open_pdf
from test_worksheet import cells, pages_text

from labelapp.render.worksheet.executed import render_executed_record


def render(record) -> bytes:
    return render_executed_record(*glycine_executed(), record)


def one_line(text: str) -> str:
    return " ".join(text.split())


def page_cells(pdf: bytes, number: int) -> str:
    """The table cells of one page, ' | '-joined (read cell by cell, so columns do not interleave)."""
    with open_pdf(pdf) as doc:
        page = doc.pages[number - 1]
        return " | ".join(one_line(c) for t in page.extract_tables() for row in t for c in row if c)


def test_page_one_of_a_clean_released_batch_says_no_exceptions_under_qa_release():
    pdf = render(executed())
    page1 = pages_text(pdf)[0]
    assert page1.startswith("EXECUTED BATCH PRODUCTION AND CONTROL RECORD — RELEASED")
    assert "Glycine Injection — 1,500 mg per 30 mL (50 mg/mL)" in page1 and "Lot G50-261123-01" in page1
    assert "Formula GLY-50-30 v1" in page1 and "Page 1 of " in page1
    assert "No exceptions" in page1
    for words in (
        "QA release decision RELEASED",
        "Signed by (printed name) Quinn Quality (user name quinn), QA",
        "Date and time 2026-11-27 13:00 UTC",
        "Meaning released: QA reviewed this record and approves the batch for distribution",
    ):
        assert words in page1, words
    assert "[ ]" not in " ".join(pages_text(pdf)) and "Approved for release" not in " ".join(pages_text(pdf))


def test_every_entry_is_printed_with_its_value_limit_times_author_source_and_verification():
    text = cells(render(executed()))
    for words in (
        "162.36 g",
        "162.346 g ±2%: in limit",
        "2026-11-23 09:10",  # happened
        "2026-11-23 09:10 alex",  # entered, by
        "balance MT XSR205 SN B123456789",
        "sam, 2026-11-23 09:11 (e-signed)",  # the second person's e-signature
        "scanned (GS1)",
        "pH 5.6",
        "accepted 99; rejected 1 (particles 1)",
        "glycine lot GLY24117 (exp 2028-09-30, Example Chemical Co.) (entry 2)",  # the lot used, from its step
    ):
        assert words in text, words


def test_yield_reconciliation_note_and_qc_results_are_on_the_record():
    text = cells(render(executed()))
    for words in (
        "99 accepted of 100 theoretical = 99% (limits 95–102%)",
        "95% to 102% of theoretical",
        "within the master record's limits",
        "Investigation note (211.192) | 2 labels torn at the splice, destroyed with a witness",
        "A Labels issued | 106",
        "106 = 106: balanced",
        "sterility | USP <71> membrane filtration | reads 'no growth' | no growth | PASS",
        "endotoxin | USP <85> | at most 11.7 EU/mL | 0.5 EU/mL | PASS",
        "c0ffee1111111111",  # the archived lab report's SHA-256 prefix
    ):
        assert words in text, words


def test_three_deviations_are_listed_on_page_one_with_disposition_capa_and_e_signature():
    devs = [
        deviation(1, "out-of-limit", "Glycine weighed: 170.5 g is 5% from the theoretical 162.346 g", signature_id=11),
        deviation(2, "late-entry", "In-process pH: entered 3 hours after the step", signature_id=12),
        deviation(3, "qc-failure", "endotoxin (endotoxin): 25 does not meet at most 11.7 EU/mL", signature_id=13),
    ]
    sigs = [
        signature(
            10 + n,
            "dispositioned",
            7000 + n,
            record_type="deviation",
            subject=f"deviation:{100 + n}",
            reason="no impact on quality: accepted",
        )
        for n in (1, 2, 3)
    ] + [signature(20, "released", 7100)]
    pdf = render(executed(deviations=devs, signatures=sigs))
    assert "No exceptions" not in pages_text(pdf)[0] and "Exceptions (3)" in pages_text(pdf)[0]
    page1 = page_cells(pdf, 1)
    for n, kind in ((1, "out-of-limit"), (2, "late-entry"), (3, "qc-failure")):
        assert f"DEV-{n} {kind} CLOSED" in page1
    assert page1.count("CAPA: CAPA-12") == 3
    assert page1.count("Disposition: no impact on quality: accepted") == 3
    assert "E-signed: Quinn Quality (quinn), QA, dispositioned, 2026-11-28 05:41 UTC" in page1
    assert "Opened by the program (on the exception)" in page1
    assert "QA release decision | RELEASED" in page1


def test_a_record_printed_before_release_says_not_released_and_lists_the_blockers():
    blockers = ("no endotoxin result (endotoxin)", "deviation DEV-1 (out-of-limit) is open: see Exceptions")
    record = executed(
        status="verified",
        deviations=[deviation(1, "out-of-limit", "In-process pH: 7.1 pH is outside 4.5 to 6.5 pH", closed=False)],
        not_released=blockers,
    )
    pdf = render(record)
    page1 = pages_text(pdf)[0]
    assert page1.startswith("EXECUTED BATCH PRODUCTION AND CONTROL RECORD — NOT RELEASED")
    assert "NOT RELEASED: 2 release blockers" in page1
    page1 = page_cells(pdf, 1)
    assert "Release blockers | • no endotoxin result (endotoxin) • deviation DEV-1 (out-of-limit) is open" in page1
    assert "OPEN: not dispositioned; it blocks release" in page1
    assert "QA e-signature | none: QA has not released or rejected this batch" in page1
    assert all("— NOT RELEASED" in text for text in pages_text(pdf))  # no page passes for a released one


def test_a_long_deviation_and_a_long_correction_reason_wrap_whole_in_their_cells():
    description = one_line(
        "During filling the isolator glove port 3 showed a pinhole on the post-use integrity check; the units "
        "filled in the 20 minutes before the check were segregated and inspected, environmental monitoring "
        "plates from the session were incubated, and the fill line was stopped until the glove was replaced and "
        "tested; room pressure stayed within limits throughout the event per the logger NOGAP" + "X" * 40
    )
    assert len(description) >= 300
    reason = one_line(
        "the pH meter was read before the reading had settled; the electrode had just been moved from the pH 7 "
        "buffer and the display was still drifting downwards, so the technician waited two minutes, "
        "re-standardised against the pH 4 and pH 7 buffers as the SOP requires and read the sample again"
    )
    entries = clean_entries()
    entries[3] = entries[3].model_copy(update={"superseded": True, "value": "5.2"})
    entries.append(
        entry(
            8,
            "ph-in-process",
            "5.3",
            20,
            unit="pH",
            within_limits=True,
            limit_text="4.5 to 6.5 pH",
            corrects_id=4,
            reason=reason,
        )
    )
    devs = [
        deviation(1, "override", description, closed=False, opened_by="alex", reference="glove port 3"),
        deviation(
            2,
            "correction",
            f"ph-in-process: 5.2 corrected to 5.3 by alex: {reason}",
            closed=False,
            reference="entry 4 -> 8",
        ),
    ]
    pdf = render(executed(entries=entries, deviations=devs, status="verified", not_released=("x",)))
    with open_pdf(pdf) as doc:
        table_cells = [one_line(c) for page in doc.pages for t in page.extract_tables() for row in t for c in row if c]
    assert any(description in c for c in table_cells), "the 300-character description is whole in one cell"
    correction = f"Corrected by entry 8 (alex, 2026-11-23 09:20 UTC): {reason} (DEV-2)"
    assert correction in table_cells
    assert "corrects entry 8" not in " ".join(table_cells) and "pH 5.3 corrects entry 4" in " ".join(table_cells)
    assert_legible(pdf)


def test_a_corrected_value_is_struck_through_and_stays_legible():
    entries = clean_entries()
    entries[3] = entries[3].model_copy(update={"superseded": True, "value": "5.2"})
    entries.append(
        entry(
            8,
            "ph-in-process",
            "5.3",
            20,
            unit="pH",
            within_limits=True,
            limit_text="4.5 to 6.5 pH",
            corrects_id=4,
            reason="meter read before it settled",
        )
    )
    pdf = render(executed(entries=entries))
    with open_pdf(pdf) as doc:
        page = next(p for p in doc.pages if "4. Process steps as executed" in (p.extract_text() or ""))
        words = page.extract_words()
        struck = next(w for i, w in enumerate(words) if w["text"] == "5.2" and words[i - 1]["text"] == "pH")
        middle = (struck["top"] + struck["bottom"]) / 2
        assert any(
            abs(line["top"] - line["bottom"]) < 0.5
            and struck["top"] < line["top"] < struck["bottom"]
            and abs(line["top"] - middle) < 3
            and line["x0"] <= struck["x0"] + 1
            and line["x1"] >= struck["x1"] - 1
            for line in page.lines
        ), "a line through the corrected value"
    assert "Corrected by entry 8 (alex, 2026-11-23 09:20 UTC): meter read before it settled" in cells(pdf)


def test_what_a_person_typed_is_printed_as_typed_never_as_markup():
    devs = [
        deviation(
            1,
            "override",
            "<b>not bold</b> &amp; <font size=40>big</font> \U0001f600 ok",
            closed=False,
            opened_by="alex",
        )
    ]
    text = cells(render(executed(deviations=devs, status="verified", not_released=("y",))))
    assert "<b>not bold</b> &amp; <font size=40>big</font> [U+1F600] ok" in text


def test_text_is_at_least_7_pt_liberation_sans_inside_the_page_and_never_overlaps():
    devs = [deviation(n, "out-of-limit", f"deviation {n} " + "long words " * 40) for n in (1, 2, 3)]
    assert_legible(render(executed(deviations=devs)))


def test_the_executed_record_is_deterministic():
    assert render(executed()) == render(executed())


def assert_legible(pdf: bytes) -> None:
    with open_pdf(pdf) as doc:
        for n, page in enumerate(doc.pages, 1):
            chars = [c for c in page.chars if c["text"].strip()]
            for c in chars:
                assert c["size"] >= 7 - 1e-6, (n, c["text"], c["size"])
                assert c["fontname"].endswith(("LiberationSans", "LiberationSans-Bold")), c["fontname"]
                assert 0 <= c["x0"] and c["x1"] <= page.width and 0 <= c["top"] and c["bottom"] <= page.height
            grid = defaultdict(list)
            for c in chars:
                grid[(int(c["x0"] // 20), int(c["top"] // 20))].append(c)
            for (gx, gy), here in grid.items():
                near = [c for dx in (-1, 0, 1) for dy in (-1, 0, 1) for c in grid.get((gx + dx, gy + dy), [])]
                for a in here:
                    for b in near:
                        if a is b:
                            continue
                        dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
                        dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                        assert dx <= 0.5 or dy <= 0.5, f"page {n}: {a['text']!r} overlaps {b['text']!r}"


def test_times_are_printed_in_utc():
    chicago = timezone(timedelta(hours=-6))
    entries = clean_entries()
    entries[3] = entries[3].model_copy(update={"happened_at": (T0 + timedelta(hours=2)).astimezone(chicago)})
    assert "pH 5.6 | 4.5 to 6.5 pH: in limit | 2026-11-23 11:00" in cells(render(executed(entries=entries)))


def test_a_rejected_batch_shows_the_rejection_its_reason_and_who_signed_it():
    sigs = [signature(7, "rejected", 6000, "sam", reason="endotoxin above limit on retest")]
    pdf = render(executed(status="rejected", signatures=sigs))
    assert pages_text(pdf)[0].startswith("EXECUTED BATCH PRODUCTION AND CONTROL RECORD — REJECTED")
    page1 = page_cells(pdf, 1)
    assert "Decision | REJECTED | Reason | endotoxin above limit on retest" in page1
    assert "Signed by (printed name) | Sam Chen (user name sam), pharmacist" in page1
    assert "Meaning | rejected: the batch may not be distributed" in page1
    assert "RELEASED" not in page1.replace("NOT RELEASED", "")
