"""The compiler: a checked program -> the domain model (``model.Ruleset``).

On entry: a ``CheckedProgram`` (from ``check.check_program``) with no error (names resolve, units
fit, tier tables are complete, the header has a plan year and tiers), carrying the continuance
tables the loader read (``language.tables``: the compiler opens no file). On exit: a frozen, picklable
``Ruleset`` that carries every statement's meaning and no syntax: constants resolved, a single
amount spread to every tier, percentages as exact rates (``Decimal("80") / 100``), money quantised
to cents, out-of-network terms inheriting every unstated in-network parameter, specific tiers sorted
by deductible, docs/semantics.md's defaults for everything unstated, and ``Source(file, line)`` on every
statement-level object. ``compile_unchecked`` is for a check that compares compiled values (W330):
given a program with errors its result is unspecified (it may raise).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal, cast

import attrs

from aso_rules import model
from aso_rules.language import ast
from aso_rules.language.check import CheckedProgram, coverage_kind, resolve, resolve_value
from aso_rules.language.diagnostics import Span
from aso_rules.language.tables import Tables
from aso_rules.money import CENT, ZERO, Money, Rate

__all__ = ["compile_program", "compile_unchecked"]

DEFAULT_COVERS = ("medical", "rx")
DAYS_PER_UNIT = {"days": 1, "weeks": 7, "months": 30}


def _source(span: Span) -> model.Source:
    return model.Source(span.file, span.line)


class _Compiler:
    """Holds the constants and tiers while statements are mapped one by one."""

    def __init__(self, program: ast.Program, tables: Tables) -> None:
        self.program = program
        self.tables = tables
        self.constants: dict[str, ast.Let] = {}
        self.tiers: tuple[str, ...] = ()
        for _, statement in program.statements():
            if isinstance(statement, ast.Let):
                self.constants.setdefault(statement.name, statement)

    # ------------------------------------------------------------------------ values

    def value(self, value: ast.Value) -> ast.Value:
        return resolve_value(self.constants, value)

    def amount(self, amount: ast.Amount) -> ast.Amount:
        return resolve(self.constants, amount)

    def money(self, amount: ast.Amount | ast.Value) -> Money:
        resolved = self.amount(amount) if isinstance(amount, ast.Quantity) else amount
        value = resolved.value if isinstance(resolved, ast.Quantity) else resolved
        value = self.value(value) if isinstance(value, ast.Name) else value
        if not isinstance(value, ast.Money):
            raise TypeError(f"expected money, got {value!r}")
        return value.amount.quantize(CENT)

    def opt_money(self, amount: ast.Amount | None) -> Money | None:
        return None if amount is None else self.money(amount)

    def rate(self, value: ast.Value) -> Rate:
        resolved = self.value(value)
        if not isinstance(resolved, ast.Percent):
            raise TypeError(f"expected a percentage, got {resolved!r}")
        return resolved.value / 100

    def number(self, value: ast.Value) -> Decimal:
        resolved = self.value(value)
        if isinstance(resolved, ast.Number):
            return resolved.value
        if isinstance(resolved, ast.Money):
            return resolved.amount
        raise TypeError(f"expected a number, got {resolved!r}")

    def date(self, value: ast.Value) -> date:
        resolved = self.value(value)
        day = resolved.to_date() if isinstance(resolved, ast.Date) else None
        if day is None:
            raise TypeError(f"expected a date, got {resolved!r}")
        return day

    def days(self, value: ast.Value) -> int:
        resolved = self.value(value)
        if not isinstance(resolved, ast.Duration):
            raise TypeError(f"expected a duration, got {resolved!r}")
        return int(resolved.amount * DAYS_PER_UNIT[resolved.unit])

    def tier_amounts(self, amount: ast.Amount) -> model.TierAmounts:
        """A rates amount -> one money amount per declared tier (a single amount spreads)."""
        resolved = self.amount(amount)
        if isinstance(resolved, ast.TierTable):
            amounts = {e.tier: self.money(e.value) for e in resolved.entries}
            units = resolved.units
        elif isinstance(resolved, ast.Quantity):
            single = self.money(resolved)
            amounts = dict.fromkeys(self.tiers, single)
            units = resolved.units
        else:
            raise TypeError(f"expected rates, got {resolved!r}")
        unit: Literal["pepm", "pmpm"] = "pmpm" if "pmpm" in units else "pepm"
        return model.TierAmounts({t: amounts[t] for t in self.tiers if t in amounts}, unit)

    def tier_numbers(self, amount: ast.Amount) -> model.FrozenMap[str, Decimal]:
        resolved = self.amount(amount)
        if isinstance(resolved, ast.TierTable):
            return model.FrozenMap({e.tier: self.number(e.value) for e in resolved.entries})
        if isinstance(resolved, ast.Quantity):
            return model.FrozenMap(dict.fromkeys(self.tiers, self.number(resolved.value)))
        raise TypeError(f"expected a tier table, got {resolved!r}")

    # ------------------------------------------------------------------------ the program

    def ruleset(self) -> model.Ruleset:
        header = next(s for _, s in self.program.statements() if isinstance(s, ast.Ruleset))
        tiers = self.header_tiers(header)
        self.tiers = tuple(t.code for t in tiers)
        settings = self.settings(header)
        statements = [s for _, s in self.program.statements()]
        coverages = {s.line: self.coverage(s) for s in statements if isinstance(s, ast.Coverage)}
        excluded = {
            line: model.ExcludedLine(line, s.reason or _default_reason(line), source=_source(s.span))
            for s in statements
            if isinstance(s, ast.ExcludeCoverage)
            for line in s.lines
        }
        schedules = {s.line: self.fee_schedule(s) for s in statements if isinstance(s, ast.FeeSchedule)}
        specific = sorted(
            (self.specific(s) for s in statements if isinstance(s, ast.StopLossSpecific)),
            key=lambda tier: tier.deductible,
        )
        for s in statements:
            if isinstance(s, ast.StopLossSpecific):
                for item in s.items:
                    if isinstance(item, ast.Setting) and item.key == "specific_claimant":
                        settings = attrs.evolve(settings, specific_claimant_key=cast(Any, item.value))
        aggregates = [self.aggregate(s) for s in statements if isinstance(s, ast.StopLossAggregate)]
        fees = tuple(self.fee(fee) for s in statements if isinstance(s, ast.AdminFees) for fee in s.fees)
        assumption_blocks = [s for s in statements if isinstance(s, ast.Assumptions)]
        return model.Ruleset(
            name=header.name,
            plan_year=self.plan_year(header),
            administrator=next((i.name for i in header.items if isinstance(i, ast.Administrator)), None),
            currency=next((i.code for i in header.items if isinstance(i, ast.Currency)), "USD"),
            settings=settings,
            tiers=tiers,
            coverages=coverages,
            excluded_lines=excluded,
            fee_schedules=schedules,
            specific=tuple(specific),
            aggregate=aggregates[0] if aggregates else None,
            fees=fees,
            assumptions=self.assumptions(assumption_blocks) if assumption_blocks else None,
            experience=next((self.experience(s) for s in statements if isinstance(s, ast.Experience)), None),
            tests=tuple(self.test(s) for s in statements if isinstance(s, ast.Test)),
            constants=self.constant_values(),
            files=tuple(f.path for f in self.program.files),
        )

    def header_tiers(self, header: ast.Ruleset) -> tuple[model.Tier, ...]:
        for item in header.items:
            if isinstance(item, ast.Tiers):
                seen: dict[str, model.Tier] = {}
                for t in item.tiers:
                    seen.setdefault(t.code, model.Tier(t.code, t.label))
                return tuple(seen.values())
        return ()

    def plan_year(self, header: ast.Ruleset) -> model.PlanYear:
        item = next(i for i in header.items if isinstance(i, ast.PlanYear))
        return model.PlanYear(self.date(item.start), self.date(item.end))

    def settings(self, header: ast.Ruleset) -> model.Settings:
        values = {i.key: i.value for i in header.items if isinstance(i, ast.Setting)}
        settings = model.Settings()
        fields: dict[str, Any] = {}
        if "rounding" in values:
            fields["rounding"] = values["rounding"]
        if "processing_order" in values:
            fields["processing_order"] = values["processing_order"]
        if "noncovered_basis" in values:
            fields["noncovered_basis"] = values["noncovered_basis"]
        if "network_accumulators" in values:
            fields["network_accumulators"] = values["network_accumulators"]
        if "coinsurance_rounding" in values:
            fields["coinsurance_rounding_side"] = values["coinsurance_rounding"]
        if "specific_claimant" in values:
            fields["specific_claimant_key"] = values["specific_claimant"]
        if "per_claim_fee" in values:
            fields["per_claim_fee_unit"] = values["per_claim_fee"]
        if "lesser_of_billed" in values:
            fields["lesser_of_billed"] = values["lesser_of_billed"] == "on"
        if "per_claim_fee_counts_denied" in values:
            fields["per_claim_fee_counts_denied"] = values["per_claim_fee_counts_denied"] == "on"
        if "pct_of_claims_base" in values:
            fields["pct_of_claims_base"] = values["pct_of_claims_base"]
        return attrs.evolve(settings, **fields)

    def constant_values(self) -> model.FrozenMap[str, Decimal]:
        """Constants of a single plain value: money as money, a percentage as its rate, a number."""
        out: dict[str, Decimal] = {}
        for name, let in self.constants.items():
            resolved = self.amount(let.value)
            if not isinstance(resolved, ast.Quantity):
                continue
            value = resolved.value
            if isinstance(value, ast.Money):
                out[name] = value.amount.quantize(CENT)
            elif isinstance(value, ast.Percent):
                out[name] = value.value / 100
            elif isinstance(value, ast.Number):
                out[name] = value.value
        return model.FrozenMap(out)

    # ------------------------------------------------------------------------ coverage

    def coverage(self, cov: ast.Coverage) -> model.Coverage:
        kind = coverage_kind(cov.line) or cov.line
        top = [i for i in cov.items if not isinstance(i, ast.Network)]
        networks = {n.network: n for n in cov.items if isinstance(n, ast.Network)}
        classes = [i for i in cov.items if isinstance(i, ast.DentalClass)]
        in_items = _merge(top, networks["in"].items if "in" in networks else ())
        sharing = {"in": self.cost_sharing(in_items, classes)}
        if "out" in networks:
            sharing["out"] = self.cost_sharing(_merge(in_items, networks["out"].items), classes)
        dental = None
        if kind == "dental" or classes:
            maximum = next((i for i in cov.items if isinstance(i, ast.Maximum)), None)
            dental = model.DentalTerms(
                classes={c.name: self.dental_class(c) for c in classes},
                annual_max=self.money(maximum.amount) if maximum is not None else None,
                annual_max_source=_source(maximum.span) if maximum is not None else None,
            )
        shares = {i.accumulator: i.line for i in cov.items if isinstance(i, ast.Shares)}
        return model.Coverage(
            name=cov.line,
            kind=kind,
            networks=sharing if kind not in ("std", "ltd") else {},
            limits=tuple(self.limit(i) for i in cov.items if isinstance(i, ast.Limit)),
            exclusions=tuple(
                model.Exclusion(i.categories, i.reason or _default_reason(*i.categories), _source(i.span))
                for i in cov.items
                if isinstance(i, ast.Exclude)
            ),
            shares_deductible_with=shares.get("deductible"),
            shares_oop_with=shares.get("out_of_pocket"),
            dental=dental,
            disability=self.disability(kind, cov) if kind in ("std", "ltd") else None,
            source=_source(cov.span),
        )

    def cost_sharing(
        self, items: Sequence[ast.CostSharingItem], classes: Sequence[ast.DentalClass]
    ) -> model.CostSharing:
        ded = next((i for i in items if isinstance(i, ast.Deductible)), None)
        oop = next((i for i in items if isinstance(i, ast.OutOfPocket)), None)
        pays = next((i for i in items if isinstance(i, ast.PlanPays)), None)
        coins = 1 - self.rate(pays.rate) if pays is not None else Decimal(0)
        ded_mode: model.FamilyMode = (ded.mode if ded is not None else None) or "embedded"
        oop_mode: model.FamilyMode = (oop.mode if oop is not None else None) or ded_mode
        categories: dict[str, model.CategoryRule] = {}
        for item in items:
            if isinstance(item, ast.Copay):
                for entry in item.entries:
                    categories[entry.category] = model.CategoryRule(
                        copay=self.money(entry.amount),
                        deductible_applies=entry.then_deductible,
                        coins=coins if entry.then_deductible else Decimal(0),
                        copay_counts_to_deductible=entry.counts_to_deductible,
                        source=_source(entry.span),
                    )
            elif isinstance(item, ast.CoveredInFull):
                for category in item.categories:
                    categories[category] = model.CategoryRule(
                        copay=ZERO, deductible_applies=False, coins=Decimal(0), source=_source(item.span)
                    )
        for cls in classes:
            categories[cls.name] = model.CategoryRule(
                copay=ZERO,
                deductible_applies=not cls.waive_deductible,
                coins=1 - self.rate(cls.pays),
                source=_source(cls.span),
            )
        return model.CostSharing(
            ded_ind=self.money(ded.amount) if ded is not None else None,
            ded_fam=self.opt_money(ded.family) if ded is not None else None,
            ded_mode=ded_mode,
            oop_ind=self.money(oop.amount) if oop is not None else None,
            oop_fam=self.opt_money(oop.family) if oop is not None else None,
            oop_mode=oop_mode,
            ind_oop_cap_in_family=self.opt_money(oop.individual_cap) if oop is not None else None,
            default=model.CategoryRule(coins=coins, source=_source(pays.span) if pays is not None else None),
            categories=categories,
            deductible_source=_source(ded.span) if ded is not None else None,
            oop_source=_source(oop.span) if oop is not None else None,
            coinsurance_source=_source(pays.span) if pays is not None else None,
        )

    def dental_class(self, cls: ast.DentalClass) -> model.DentalClass:
        waiting = 0
        if cls.waiting is not None:
            resolved = self.value(cls.waiting)
            if isinstance(resolved, ast.Duration):
                waiting = int(resolved.amount)
        return model.DentalClass(
            name=cls.name,
            plan_rate=self.rate(cls.pays),
            deductible_applies=not cls.waive_deductible,
            waiting_months=waiting,
            counts_to_annual_max=not cls.outside_maximum,
            source=_source(cls.span),
        )

    def limit(self, item: ast.Limit) -> model.Limit:
        resolved = self.amount(item.amount)
        assert isinstance(resolved, ast.Quantity)
        period: Literal["year", "lifetime"] = "lifetime" if "lifetime" in resolved.units else "year"
        if isinstance(resolved.value, ast.Money):
            return model.Limit(
                item.category, "dollars", self.money(resolved), period, source=_source(item.span)
            )
        return model.Limit(
            item.category, "visits", self.number(resolved.value), period, source=_source(item.span)
        )

    def disability(self, kind: str, cov: ast.Coverage) -> model.DisabilityTerms:
        benefit = next(i for i in cov.items if isinstance(i, ast.Benefit))
        illness = accident = 0
        for elimination in (i for i in cov.items if isinstance(i, ast.Elimination)):
            for entry in elimination.entries:
                days = self.days(entry.period)
                if entry.cause in (None, "illness"):
                    illness = days
                if entry.cause in (None, "accident"):
                    accident = days
        duration = next((i for i in cov.items if isinstance(i, ast.BenefitDuration)), None)
        minimum = next((i for i in cov.items if isinstance(i, ast.Minimum)), None)
        return model.DisabilityTerms(
            kind="std" if kind == "std" else "ltd",
            pct=self.rate(benefit.share.value),
            maximum=self.opt_money(benefit.maximum),
            elimination_illness_days=illness,
            elimination_accident_days=accident,
            duration_days=self.days(duration.period) if duration is not None else None,
            max_includes_ep=any(
                isinstance(i, ast.Flag) and i.name == "maximum_includes_elimination" for i in cov.items
            ),
            minimum_flat=self.money(minimum.amount) if minimum is not None else None,
            minimum_pct=(
                self.rate(minimum.alternative.value)
                if minimum is not None and minimum.alternative is not None
                else None
            ),
            source=_source(cov.span),
        )

    # ------------------------------------------------------------------------ repricing

    def fee_schedule(self, schedule: ast.FeeSchedule) -> model.FeeSchedule:
        pct = {
            i.network: self.rate(i.share.value) for i in schedule.items if isinstance(i, ast.NetworkPricing)
        }
        return model.FeeSchedule(
            line=schedule.line,
            in_network_pct=pct.get("in_network"),
            out_of_network_pct=pct.get("out_of_network"),
            codes={i.code: self.money(i.amount) for i in schedule.items if isinstance(i, ast.CodePrice)},
            categories={
                i.category: self.money(i.amount) for i in schedule.items if isinstance(i, ast.CategoryPrice)
            },
            source=_source(schedule.span),
        )

    # ------------------------------------------------------------------------ stop-loss

    def basis(self, items: Iterable[object]) -> model.Basis:
        for item in items:
            if isinstance(item, ast.Basis):
                return model.Basis(item.incurred_months, item.paid_months, item.paid_basis)
        return model.Basis()

    def covers(self, items: Iterable[object]) -> tuple[str, ...]:
        lines = [line for i in items if isinstance(i, ast.Covers) for line in i.lines]
        return tuple(dict.fromkeys(lines)) if lines else DEFAULT_COVERS

    def premium(self, items: Iterable[object]) -> model.TierAmounts | None:
        for item in items:
            if isinstance(item, ast.Premium):
                return self.tier_amounts(item.amount)
        return None

    def reimbursement(self, items: Iterable[object]) -> Rate:
        for item in items:
            if isinstance(item, ast.Reimburses):
                return self.rate(item.rate)
        return Decimal(1)

    @staticmethod
    def switches(items: Iterable[object]) -> dict[str, str]:
        return {i.key: i.value for i in items if isinstance(i, ast.Setting)}

    def specific(self, contract: ast.StopLossSpecific) -> model.SpecificStopLoss:
        items = contract.items
        deductible = next(i for i in items if isinstance(i, ast.Deductible))
        asd = next((i for i in items if isinstance(i, ast.AggregatingDeductible)), None)
        maximum = next((i for i in items if isinstance(i, ast.Maximum)), None)
        advance = next((i for i in items if isinstance(i, ast.AdvanceFunding)), None)
        lasers: dict[str, Money | None] = {}
        for item in items:
            if isinstance(item, ast.Laser):
                lasers[item.member] = self.opt_money(item.amount)
        return model.SpecificStopLoss(
            name=contract.name,
            deductible=self.money(deductible.amount),
            lasers=lasers,
            aggregating_deductible=self.money(asd.amount) if asd is not None else ZERO,
            maximum=self.money(maximum.amount) if maximum is not None else None,
            reimbursement_pct=self.reimbursement(items),
            covers=self.covers(items),
            basis=self.basis(items),
            premium=self.premium(items),
            terminal_liability=self.switches(items).get("terminal_liability") == "on",
            no_new_lasers=self.switches(items).get("no_new_lasers") == "on",
            advance_funding=advance is not None and advance.on,
            advance_minimum=(
                self.money(advance.minimum) if advance is not None and advance.minimum is not None else ZERO
            ),
            source=_source(contract.span),
        )

    def aggregate(self, contract: ast.StopLossAggregate) -> model.AggregateStopLoss:
        items = contract.items
        attachment = next(i for i in items if isinstance(i, ast.Attachment))
        factors: model.TierAmounts | None = None
        pct: Rate | None = None
        if isinstance(attachment.amount, ast.Share):
            pct = self.rate(attachment.amount.value)
        else:
            resolved = self.amount(attachment.amount)
            if isinstance(resolved, ast.Share):
                pct = self.rate(resolved.value)
            else:
                factors = self.tier_amounts(attachment.amount)
        minimum_pct = Decimal("0.95")
        minimum_fixed: Money | None = None
        for item in items:
            if isinstance(item, ast.MinimumAttachment):
                if isinstance(item.amount, ast.Share):
                    minimum_pct = self.rate(item.amount.value)
                else:
                    minimum_fixed = self.money(item.amount)
        maximum = next((i for i in items if isinstance(i, ast.Maximum)), None)
        switches = self.switches(items)
        return model.AggregateStopLoss(
            name=contract.name,
            factors=factors,
            pct_of_expected=pct,
            minimum_pct=minimum_pct,
            minimum_fixed=minimum_fixed,
            maximum=self.money(maximum.amount) if maximum is not None else None,
            reimbursement_pct=self.reimbursement(items),
            covers=self.covers(items),
            basis=self.basis(items),
            premium=self.premium(items),
            laser_treatment=cast(Any, switches.get("laser_treatment", "to_laser")),
            claim_basis=cast(Any, switches.get("claim_basis", "capped")),
            cap_per_claimant=switches.get("cap_per_claimant", "on") == "on",
            asd_counts=switches.get("asd_counts") == "on",
            monthly_accommodation=switches.get("monthly_accommodation") == "on",
            terminal_liability=switches.get("terminal_liability") == "on",
            source=_source(contract.span),
        )

    # ------------------------------------------------------------------------ fees, assumptions

    def fee(self, fee: ast.Fee) -> model.Fee:
        resolved = self.amount(fee.amount)
        source = _source(fee.span)
        if isinstance(resolved, ast.Share):
            kind: Literal["pct_paid_claims", "pct_savings"] = (
                "pct_savings" if resolved.base == "savings" else "pct_paid_claims"
            )
            return model.Fee(fee.name, kind, pct=self.rate(resolved.value), lines=fee.lines, source=source)
        units = resolved.units
        if "per claim" in units:
            return model.Fee(fee.name, "per_claim", amount=self.money(resolved), source=source)
        amounts = self.tier_amounts(fee.amount)
        return model.Fee(fee.name, amounts.unit, amounts=amounts, source=source)

    def assumptions(self, blocks: Sequence[ast.Assumptions]) -> model.Assumptions:
        fields: dict[str, Any] = {}
        for block in blocks:
            for item in block.items:
                match item:
                    case ast.ExpectedClaims():
                        fields["expected_claims"] = self.tier_amounts(item.amount)
                    case ast.Claimants():
                        fields["claimants_pct"] = self.rate(item.share.value)
                    case ast.ClaimantCost():
                        fields["claimant_cost"] = self.severity(item.model)
                    case ast.ClaimCount():
                        fields["claim_count"] = (
                            model.NegativeBinomial(self.number(item.model.dispersion))
                            if isinstance(item.model, ast.NegativeBinomial)
                            else model.Poisson()
                        )
                    case ast.FullyInsured():
                        fields["fully_insured"] = self.tier_amounts(item.amount)
                    case ast.TierRatios():
                        fields["tier_ratios"] = self.tier_numbers(item.amount)
                    case ast.FundingMargin():
                        fields["funding_margin"] = self.rate(item.rate)
                    case ast.ClaimsBasis():
                        fields["claims_basis"] = item.basis
                    case ast.Seasonality():
                        fields["seasonality"] = tuple(self.number(v) for v in item.factors)
        return model.Assumptions(**fields, source=_source(blocks[0].span))

    def experience(self, block: ast.Experience) -> model.Experience:
        fields: dict[str, Any] = {}
        for item in block.items:
            match item:
                case ast.Trend():
                    fields["trend"] = {e.line: self.rate(e.rate) for e in item.entries}
                case ast.Projection():
                    fields["projection_months"] = self.projection_months(item)
                case ast.Completion():
                    fields["completion"] = self.rate(item.rate)
                case ast.PoolingPoint():
                    fields["pooling_point"] = self.money(item.amount)
                case ast.PoolingCharge():
                    fields["pooling_charge"] = self.tier_amounts(item.amount)
                case ast.Credibility():
                    method = item.method
                    fields["credibility"] = (
                        model.Buhlmann(method.k.value)
                        if isinstance(method, ast.Buhlmann)
                        else model.LimitedFluctuation(method.full.value)
                    )
                case ast.ManualRate():
                    fields["manual_rate"] = self.tier_amounts(item.amount)
                case ast.PlanDesignChange():
                    fields["plan_design_change"] = self.number(item.factor)
                case ast.RateCap():
                    fields["rate_cap"] = self.rate(item.rate)
        return model.Experience(**fields, source=_source(block.span))

    def projection_months(self, item: ast.Projection) -> Decimal:
        """Months of trend: a stated duration in months, or the days from one midpoint to the next
        over 365, times 12, to 6 places (docs/renewal.md)."""
        if item.end is None:
            start = self.value(item.start)
            if not isinstance(start, ast.Duration):
                raise TypeError(f"expected months, got {start!r}")
            return start.amount
        days = (self.date(item.end) - self.date(item.start)).days
        return (Decimal(days) * 12 / 365).quantize(Decimal("0.000001"))

    def severity(self, severity: ast.SeverityModel) -> model.Severity:
        match severity:
            case ast.Lognormal():
                return model.Lognormal(self.money(severity.mean), self.number(severity.cv))
            case ast.Gamma():
                return model.Gamma(self.money(severity.mean), self.number(severity.cv))
            case ast.Pareto():
                return model.Pareto(self.number(severity.alpha), self.money(severity.scale))
            case ast.ContinuanceTable():
                table = self.tables[(severity.span.file, severity.path, severity.name)].table
                if table is None:
                    raise ValueError(f"continuance table {severity.path!r} was not read")
                return attrs.evolve(table, path=severity.path)
        raise TypeError(f"not a severity model: {severity!r}")  # pragma: no cover

    # ------------------------------------------------------------------------ tests

    def test(self, test: ast.Test) -> model.TestCase:
        members = tuple(self.test_member(i) for i in test.items if isinstance(i, ast.TestMember))
        claims = tuple(self.test_claim(i) for i in test.items if isinstance(i, ast.TestClaim))
        expectations: list[model.Expectation] = []
        for item in test.items:
            match item:
                case ast.ExpectClaim():
                    tolerance = self.tolerance(item.within)
                    for field in item.fields:
                        expectations.append(
                            model.Expectation(
                                "claim",
                                field.field,
                                self.expected(field.value),
                                subject=item.claim_id,
                                tolerance=tolerance,
                                source=_source(field.span),
                            )
                        )
                case ast.ExpectSummary():
                    expectations.append(
                        model.Expectation(
                            "summary",
                            ".".join(item.path),
                            self.expected(item.value),
                            tolerance=self.tolerance(item.within),
                            source=_source(item.span),
                        )
                    )
                case ast.ExpectSpecific():
                    expectations.append(
                        model.Expectation(
                            "specific",
                            item.field,
                            self.expected(item.value),
                            subject=item.tier,
                            tolerance=self.tolerance(item.within),
                            source=_source(item.span),
                        )
                    )
                case ast.ExpectAggregate():
                    expectations.append(
                        model.Expectation(
                            "aggregate",
                            item.field,
                            self.expected(item.value),
                            tolerance=self.tolerance(item.within),
                            source=_source(item.span),
                        )
                    )
                case ast.ExpectDiagnostic():
                    expectations.append(
                        model.Expectation("diagnostic", item.code, item.code, source=_source(item.span))
                    )
        return model.TestCase(test.name, members, claims, tuple(expectations), source=_source(test.span))

    def expected(self, value: ast.Value) -> Decimal | str:
        resolved = self.value(value)
        match resolved:
            case ast.Money():
                return resolved.amount.quantize(CENT)
            case ast.Number():
                return resolved.value
            case ast.Percent():
                return resolved.value / 100
            case ast.Name():
                return resolved.name
            case ast.String():
                return resolved.value
            case ast.Date():
                return f"{resolved.year:04d}-{resolved.month:02d}-{resolved.day:02d}"
        return str(resolved)

    def tolerance(self, within: ast.Value | None) -> model.Tolerance | None:
        if within is None:
            return None
        resolved = self.value(within)
        if isinstance(resolved, ast.Percent):
            return model.Tolerance("relative", resolved.value / 100)
        if isinstance(resolved, ast.Money):
            return model.Tolerance("absolute", resolved.amount)
        return model.Tolerance("absolute", self.number(resolved))

    def _options(self, options: Sequence[ast.Option]) -> dict[str, tuple[ast.Value, ...]]:
        return {o.key: o.values for o in options}

    def test_member(self, member: ast.TestMember) -> model.TestMember:
        opts = self._options(member.options)
        relationship = "employee" if member.member_id == member.family_id else "other"
        if "relationship" in opts and isinstance(opts["relationship"][0], ast.Name):
            relationship = opts["relationship"][0].name
        return model.TestMember(
            member_id=member.member_id,
            family_id=member.family_id,
            tier=member.tier,
            relationship=relationship,
            coverage_start=self.date(opts["from"][0]) if "from" in opts else None,
            coverage_end=self.date(opts["to"][0]) if "to" in opts else None,
            annual_salary=self.money(opts["salary"][0]) if "salary" in opts else None,
            weekly_earnings=self.money(opts["weekly_earnings"][0]) if "weekly_earnings" in opts else None,
            source=_source(member.span),
        )

    def test_claim(self, claim: ast.TestClaim) -> model.TestClaim:
        opts = self._options(claim.options)

        def money_opt(key: str) -> Money | None:
            return self.money(opts[key][0]) if key in opts else None

        def word(key: str) -> str | None:
            if key not in opts:
                return None
            value = self.value(opts[key][0])
            if isinstance(value, ast.Name):
                return value.name
            if isinstance(value, ast.String):
                return value.value
            return None

        absence = opts.get("absence", ())
        return model.TestClaim(
            claim_id=claim.claim_id,
            member_id=claim.member_id,
            line=claim.line,
            category=claim.category,
            incurred=self.date(claim.incurred),
            paid=self.date(opts["paid"][0]) if "paid" in opts else None,
            billed=money_opt("billed"),
            allowed=money_opt("allowed"),
            network=word("network") or "in",
            code=word("code"),
            units=int(self.number(opts["units"][0])) if "units" in opts else 1,
            absence_start=self.date(absence[0]) if len(absence) == 2 else None,
            absence_end=self.date(absence[1]) if len(absence) == 2 else None,
            cause=word("cause"),
            weekly_earnings=money_opt("weekly_earnings"),
            source=_source(claim.span),
        )


def _merge(base: Sequence[Any], override: Sequence[Any]) -> list[Any]:
    """Cost-sharing items of a network: ``override``'s parameters replace ``base``'s of the same
    statement kind; copays and covered-in-full categories merge (``override`` wins per category)."""
    stated = {type(i) for i in override if not isinstance(i, ast.Copay | ast.CoveredInFull)}
    kept = [i for i in base if type(i) not in stated and not isinstance(i, ast.Network)]
    return kept + list(override)


def _default_reason(*names: str) -> str:
    return f"not covered: {', '.join(names)} excluded by the plan"


def compile_program(checked: CheckedProgram) -> model.Ruleset:
    """The domain model of a program that checked clean (see the module docstring)."""
    if checked.has_errors:
        raise ValueError("compile_program needs a program that checked without errors")
    return _Compiler(checked.program, checked.tables).ruleset()


def compile_unchecked(program: ast.Program, tables: Tables) -> model.Ruleset:
    """The domain model of a program not yet fully checked, for a check that needs compiled values;
    a program with errors may raise (TypeError, ValueError, KeyError, ...) or compile to nonsense."""
    return _Compiler(program, tables).ruleset()
