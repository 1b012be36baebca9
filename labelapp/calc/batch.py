"""Everything computed for a batch: checks across fields, then strength, osmolarity, quantities, expiry."""

from __future__ import annotations

from datetime import date, datetime

from labelapp.calc import expiry as expiry_calc
from labelapp.calc import quantities as q
from labelapp.calc import strength as st
from labelapp.calc.format import fmt_date, fmt_number, fmt_qty, fmt_time
from labelapp.calc.plausibility import acknowledgements_required
from labelapp.calc.solution import Solute, solve
from labelapp.domain.batch import BatchFile, ComponentLot
from labelapp.domain.errors import FieldIssue, InputError, LabelappError, UnknownIngredientError
from labelapp.domain.formula import ComponentRole, ContainerType, Formula, FormulaComponent, PackageType
from labelapp.domain.gs1 import gtin14_from_ndc
from labelapp.domain.ingredient import Ingredient, IngredientKind, StrengthBasis
from labelapp.domain.lots import LotPattern
from labelapp.domain.reference import DatingRules, IngredientTable
from labelapp.domain.results import BarcodeChoice, BatchComputation, ComponentResult, Expiry, StrengthLine
from labelapp.domain.settings import CalcSettings, LabelSettings


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def _ingredient_issues(formula: Formula, table: IngredientTable) -> list[FieldIssue]:
    issues = []
    first_use: dict[str, str] = {}
    for i, comp in enumerate(formula.components):
        try:
            ing = table.get(comp.ingredient)
        except UnknownIngredientError as exc:
            issues.append(FieldIssue(f"formula.components[{i}].ingredient", str(exc)))
            continue
        if ing.name in first_use:
            issues.append(
                FieldIssue(
                    f"formula.components[{i}].ingredient",
                    f"{comp.ingredient!r} is {ing.name}, already listed as "
                    f"{first_use[ing.name]!r}; list each ingredient once",
                )
            )
        first_use.setdefault(ing.name, comp.ingredient)
        if ing.solvent and comp.role is not ComponentRole.VEHICLE:
            issues.append(
                FieldIssue(
                    f"formula.components[{i}].role", f"{ing.name} is a solvent; give it the role 'vehicle' (q.s.)"
                )
            )
        if comp.role is ComponentRole.VEHICLE and not ing.solvent:
            issues.append(
                FieldIssue(f"formula.components[{i}].role", f"{ing.name} is a solute and cannot be the q.s. vehicle")
            )
        issues += _unit_issues(i, comp, ing)
    return issues


def _unit_issues(i: int, comp: FormulaComponent, ing: Ingredient) -> list[FieldIssue]:
    """USP units only for an ingredient dosed in units, and such an ingredient only in units (§2.2)."""
    where = f"formula.components[{i}]"
    if comp.role is ComponentRole.VEHICLE:
        return []
    units_kind = ing.kind is IngredientKind.UNITS
    if comp.unit == "units" and not units_kind:
        return [
            FieldIssue(
                f"{where}.unit",
                f"units (USP units) is only for an ingredient dosed in units; {ing.name} is "
                f"{'an' if ing.kind.value[:1] in 'aeiou' else 'a'} {ing.kind.value}: use g, mg or mcg",
            )
        ]
    if units_kind and comp.unit != "units":
        return [FieldIssue(f"{where}.unit", f"{ing.name} is dosed in USP units: give the amount per mL in units")]
    problem = st.basis_problem(comp, ing)
    if problem:
        field, _, message = problem.partition(": ")
        return [FieldIssue(f"{where}.strength_basis" if field == "strength_basis" else f"{where}.ingredient", message)]
    return []


def master_record_issues(formula: Formula, table: IngredientTable) -> list[FieldIssue]:
    """Each master record step that names a component names one of this formula's (by ingredient, so a synonym
    matches). Silent while a formula component is unknown: that mistake is reported on its own field."""
    if formula.master_record is None or any(c.ingredient not in table for c in formula.components):
        return []
    listed = {table.get(c.ingredient).name for c in formula.components}
    issues = []
    for k, step in enumerate(formula.master_record.steps):
        if step.component is None:
            continue
        name = table.get(step.component).name if step.component in table else step.component
        if name not in listed:
            known = ", ".join(c.ingredient for c in formula.components)
            issues.append(
                FieldIssue(
                    f"formula.master_record.steps[{k}].component",
                    f"{step.component!r} is not a component of {formula.id} (components: {known})",
                )
            )
    return issues


def _form_problem(formula_form: Ingredient, supplied: Ingredient) -> str | None:
    """A supplied form may differ only in water of hydration: same ions and particles, not the vehicle.

    The weighing correction (MW supplied / MW formula form) is only valid for such a form; another salt
    or substance changes what the product contains and is a change of formula, not of supplied form.
    """
    if supplied.name == formula_form.name:
        return None
    if IngredientKind.UNITS in (supplied.kind, formula_form.kind):
        return (
            f"{supplied.name} cannot be supplied for {formula_form.name}: an ingredient dosed in USP units has "
            "no form to convert from (its lot states its potency in units)"
        )
    if (
        supplied.solvent
        or formula_form.solvent
        or supplied.particles != formula_form.particles
        or set(supplied.ions) != set(formula_form.ions)
    ):
        return (
            f"{supplied.name} is not a hydrate form of {formula_form.name} (different ions or particles); "
            "a different salt or substance needs a formula change"
        )
    return None


def _lot_issues(bf: BatchFile, table: IngredientTable) -> list[FieldIssue]:
    batch, formula = bf.batch, bf.formula
    names = {}
    for comp in formula.components:
        try:
            names[_key(table.get(comp.ingredient).name)] = comp
        except UnknownIngredientError:
            names[_key(comp.ingredient)] = comp
    # With a component the table does not know, lots cannot be matched reliably: report the
    # ingredient alone rather than a lot "not a component" of a formula that names it differently.
    unresolved = any(comp.ingredient not in table for comp in formula.components)
    issues, seen = [], set()
    day = batch.compounding_date
    for i, lot in enumerate(batch.component_lots):
        where = f"batch.component_lots[{i}]"
        key = _key(table.get(lot.component).name) if lot.component in table else _key(lot.component)
        if key not in names:
            if unresolved:
                continue
            known = ", ".join(c.ingredient for c in formula.components)
            issues.append(
                FieldIssue(
                    f"{where}.component", f"{lot.component!r} is not a component of {formula.id} (components: {known})"
                )
            )
            continue
        if key in seen:
            issues.append(
                FieldIssue(f"{where}.component", f"a second lot for {lot.component}; record one lot per component")
            )
        seen.add(key)
        if lot.expiry < day:
            issues.append(
                FieldIssue(
                    f"{where}.expiry",
                    f"lot {lot.lot} expired {fmt_date(lot.expiry)}, before compounding on {fmt_date(day)}",
                )
            )
        if lot.supplied_form and lot.supplied_form not in table:
            issues.append(
                FieldIssue(
                    f"{where}.supplied_form",
                    str(UnknownIngredientError(lot.supplied_form, table.closest(lot.supplied_form))),
                )
            )
        elif lot.supplied_form and lot.component in table:
            problem = _form_problem(table.get(lot.component), table.get(lot.supplied_form))
            if problem:
                issues.append(FieldIssue(f"{where}.supplied_form", problem))
        if lot.component in table:
            issues += _potency_issues(where, lot, table.get(lot.component))
    for comp in formula.components:
        if unresolved and comp.ingredient not in table:
            continue
        ck = _key(table.get(comp.ingredient).name) if comp.ingredient in table else _key(comp.ingredient)
        if ck not in seen:
            issues.append(
                FieldIssue("batch.component_lots", f"no lot recorded for component {comp.ingredient!r} (211.188(b)(3))")
            )
    return issues


def _potency_issues(where: str, lot: ComponentLot, ing: Ingredient) -> list[FieldIssue]:
    """A lot of an ingredient dosed in USP units states its potency in units (per mg weighed, or per mL
    measured); any other lot states it in percent (docs/domain.md §4.7)."""
    units = lot.potency_units_per_mg is not None or lot.potency_units_per_ml is not None
    if ing.kind is IngredientKind.UNITS:
        issues = []
        if not units:
            issues.append(
                FieldIssue(
                    f"{where}.potency_units_per_mg",
                    f"{ing.name} is dosed in USP units: give the lot's potency in units per mg from the "
                    "CoA (potency_units_per_mg), or units per mL for a solution (potency_units_per_ml)",
                )
            )
        if lot.potency_percent != 100:
            issues.append(
                FieldIssue(
                    f"{where}.potency_percent",
                    "a lot dosed in USP units states its potency in units (potency_units_per_mg or "
                    "potency_units_per_ml), not in percent; leave potency_percent at 100",
                )
            )
        return issues
    if units:
        field = "potency_units_per_mg" if lot.potency_units_per_mg is not None else "potency_units_per_ml"
        return [
            FieldIssue(
                f"{where}.{field}",
                f"{ing.name} is not dosed in USP units; give its potency as potency_percent",
            )
        ]
    return []


def check_batch_file(bf: BatchFile, table: IngredientTable, rules: DatingRules) -> list[FieldIssue]:
    """Rules that span fields; pydantic has already checked each field on its own."""
    issues: list[FieldIssue] = []
    if bf.batch.formula_id != bf.formula.id:
        issues.append(
            FieldIssue(
                "batch.formula_id", f"{bf.batch.formula_id!r} does not match the formula {bf.formula.id!r} in this file"
            )
        )
    if bf.batch.formula_version != bf.formula.version:
        issues.append(
            FieldIssue(
                "batch.formula_version",
                f"version {bf.batch.formula_version} does not match "
                f"formula {bf.formula.id} version {bf.formula.version}",
            )
        )
    component_issues = _ingredient_issues(bf.formula, table)
    issues += component_issues + _lot_issues(bf, table)
    if not component_issues:  # the steps are checked against components that are right themselves
        issues += master_record_issues(bf.formula, table)
    try:
        rule = rules.get(bf.formula.dating_rule)
        expiry_calc.rule_period(rule, bf.formula.storage.condition)
    except LabelappError as exc:
        msg = str(exc).removeprefix("formula.dating_rule: ")
        issues.append(FieldIssue("formula.dating_rule", msg))
    ndc, labeler = bf.formula.ndc, bf.facility.ndc_labeler_code
    if ndc and labeler and not ndc.replace("-", "").startswith(labeler):
        issues.append(FieldIssue("formula.ndc", f"{ndc} does not start with the facility's labeler code {labeler}"))
    return issues


def solutes_of(formula: Formula, table: IngredientTable) -> list[Solute]:
    return [
        Solute(
            ingredient=table.get(c.ingredient),
            amount_per_ml=c.amount_per_ml,
            unit=c.unit,
            role=c.role.value,
            label_name=c.label_name,
            grade=c.grade,
        )
        for c in formula.components
    ]


def strength_lines(formula: Formula, comps: list[ComponentResult], table: IngredientTable) -> list[StrengthLine]:
    """The strength statement, one line per active (phosphates: per species and cation), led by each
    active's basis (docs/domain.md §2.2): '1,500 mg per 30 mL (50 mg/mL)', '20 mEq per 10 mL (2 mEq/mL)',
    'phosphorus 45 mmol per 15 mL (3 mmol/mL)', '30 units per 500 mL (0.06 units/mL)'.

    With more than one line each starts with what it states, so no amount stands unnamed."""
    ingredients = {c.ingredient: table.get(c.ingredient) for c in comps}
    return st.strength_statements(comps, _bases(formula, table), ingredients, formula.container.nominal_volume_ml)


def _bases(formula: Formula, table: IngredientTable) -> dict[str, StrengthBasis]:
    return {
        table.get(c.ingredient).name: st.basis_of(c, table.get(c.ingredient))
        for c in formula.components
        if c.role is ComponentRole.ACTIVE
    }


CONTAINER_NAMES = {
    ContainerType.VIAL: "Vial",
    ContainerType.SYRINGE: "Prefilled Syringe",
    ContainerType.BAG: "Bag",
}


def package_text(formula: Formula) -> str:
    """Quantity, package type and discard statement (docs/domain.md §2.6; FDA package-type guidance, 2018).

    "30 mL Single-Dose Vial. Discard unused portion." A prefilled syringe or a bag is single-dose:
    a multiple-dose container is a vial that passed antimicrobial effectiveness testing, so a
    multiple-dose syringe or bag is refused rather than labeled.
    """
    container = formula.container
    vol = fmt_qty(container.nominal_volume_ml, "mL")
    name = CONTAINER_NAMES[container.type]
    if formula.package_type is PackageType.SINGLE_DOSE:
        return f"{vol} Single-Dose {name}. Discard unused portion."
    if container.type is not ContainerType.VIAL:
        raise InputError(
            [
                FieldIssue(
                    "formula.package_type",
                    f"a {container.type.value} is single-dose; only a vial can be multiple-dose (docs/domain.md §2.6)",
                )
            ]
        )
    return f"{vol} Multiple-Dose {name}. Discard 28 days after first puncture unless otherwise specified."


def ingredients_text(comps: list[ComponentResult]) -> str:
    ordered = sorted(comps, key=lambda c: {"active": 0, "inactive": 1, "vehicle": 2}[c.role])
    text = "Each mL contains: " + "; ".join(c.label_text for c in ordered)
    return text if text.endswith(".") else text + "."


def barcode_choice(formula: Formula, label: LabelSettings) -> BarcodeChoice:
    """The labels' 2D code (docs/domain.md §7.3): (01) from the NDC; without an NDC, the facility's
    setting ``calc.label.barcode_without_ndc``. A GS1 code never lacks its (01) GTIN."""
    if formula.ndc:
        gtin = gtin14_from_ndc(formula.ndc)
        return BarcodeChoice(kind="gs1", gtin=gtin, basis=f"GS1 DataMatrix, (01) GTIN {gtin} from NDC {formula.ndc}")
    setting = f"no NDC; setting calc.label.barcode_without_ndc = {label.barcode_without_ndc}"
    if label.barcode_without_ndc == "facility-gtin":
        assert label.facility_gtin is not None  # LabelSettings requires it for this choice
        return BarcodeChoice(
            kind="gs1",
            gtin=label.facility_gtin,
            basis=f"GS1 DataMatrix, (01) the facility GTIN {label.facility_gtin} ({setting})",
        )
    if label.barcode_without_ndc == "plain":
        return BarcodeChoice(kind="plain", basis=f"plain (non-GS1) DataMatrix with lot, expiry and serial ({setting})")
    return BarcodeChoice(kind="none", basis=f"no 2D code ({setting})")


def compounded_text(compounded_at: datetime, exp: Expiry) -> str:
    """'Compounded 2026-11-23'; with an hour-based expiry the time too, so the period can be checked."""
    text = f"Compounded {fmt_date(compounded_at.date())}"
    return text + (f" {fmt_time(compounded_at.time())}" if exp.hours is not None else "")


def _lot_for(lots: list[ComponentLot], ingredient: str, table: IngredientTable) -> ComponentLot | None:
    for lot in lots:
        if lot.component in table and table.get(lot.component).name == ingredient:
            return lot
    return None


def compute_batch(
    bf: BatchFile,
    table: IngredientTable,
    rules: DatingRules,
    settings: CalcSettings | None = None,
    lot_seq: int = 1,
    today: date | None = None,
) -> BatchComputation:
    settings = settings or CalcSettings()
    issues = check_batch_file(bf, table, rules)
    if issues:
        raise InputError(issues)
    formula, batch = bf.formula, bf.batch
    solutes = solutes_of(formula, table)
    sol = solve(solutes, settings.tonicity)
    ingredients = {s.ingredient.name: s.ingredient for s in solutes}
    strengths = strength_lines(formula, sol.components, table)
    choices = [
        st.strength_choice(c, table.get(c.ingredient)) for c in formula.components if c.role is ComponentRole.ACTIVE
    ]
    vol = q.batch_volume_ml(batch.units, formula.container, batch.allowance_percent)
    weigh = []
    for s in solutes:
        lot = _lot_for(batch.component_lots, s.ingredient.name, table)
        supplied = table.get(lot.supplied_form) if lot and lot.supplied_form else s.ingredient
        weigh.append(q.weigh_line(s, lot, supplied, vol, settings.weigh_tolerance_percent))
    rule = rules.get(formula.dating_rule)
    exp = expiry_calc.compute_expiry(
        batch.compounded_at, rule, formula.storage.condition, batch.component_lots, settings.compounding_day_is_day
    )
    lot_number = batch.lot_number or LotPattern(settings.lot_pattern).render(
        batch.compounding_date, lot_seq, formula.product_code
    )
    warnings = list(sol.tonicity.warnings)
    warnings += expiry_calc.expiry_warnings(exp, batch.component_lots, settings.component_expiry_warning_days)
    warnings += [w for w in (q.deviation_warning(line, settings.weigh_tolerance_percent) for line in weigh) if w]
    lot_ingredients = [(lot, table.get(lot.component)) for lot in batch.component_lots if lot.component in table]
    acknowledgements = acknowledgements_required(sol, ingredients, lot_ingredients, settings)
    warnings += [a.message for a in acknowledgements]  # shown wherever warnings are, until acknowledged
    warnings += formula.warnings
    fills = q.max_fills(vol, formula.container)
    nominal = formula.container.nominal_volume_ml
    workings = [sol.osmolarity_working]
    workings += [w for c in sol.components for w in c.workings]
    workings += st.strength_workings(strengths, sol.components, ingredients, nominal)
    workings.append(q.batch_volume_working(batch.units, formula.container, batch.allowance_percent, vol))
    workings += [line.working for line in weigh if line.working]
    workings.append(exp.working)
    return BatchComputation(
        **sol.model_dump(),
        lot_number=lot_number,
        lot_provisional=batch.lot_number is None,
        product_name=formula.display_name,
        strength_text="; ".join(line.text for line in strengths),
        strength_total_text="; ".join(line.total_text for line in strengths),
        strength_per_ml_text="; ".join(line.per_ml_text for line in strengths),
        strength_lines=[line.text for line in strengths],
        strength_statements=strengths,
        strength_choices=choices,
        strength_secondary_text="; ".join(line.secondary_text for line in strengths if line.secondary_text),
        quantity_text=fmt_qty(formula.container.nominal_volume_ml, "mL"),
        package_text=package_text(formula),
        ingredients_text=ingredients_text(sol.components),
        compounded_date=batch.compounding_date,
        compounded_text=compounded_text(batch.compounded_at, exp),
        expiry=exp,
        expiration_date=exp.date,
        expiration_time=exp.time,
        expiration_text=exp.text,
        batch_volume_ml=vol,
        batch_volume_text=f"{fmt_number(vol, places=1)} mL",
        theoretical_yield_units=batch.units,
        max_fills=fills,
        amounts=weigh,
        label_count=batch.units + batch.specimen_labels + batch.retain_labels,
        barcode=barcode_choice(formula, settings.label),
        warnings=warnings,
        acknowledgements_required=acknowledgements,
        workings=workings,
    )
