#!/usr/bin/env python3
"""Independent derivation of the expected values in test/vectors/repo and test/vectors/pledge.

Written from the rules in docs/math.md and test/vectors/README.md only (Python fractions and datetime, no
code shared with the contracts or the TypeScript calculators). Each output is the exact value in natural units (currency,
currency per unit, plain ratio, units of the security) computed from the inputs and from the earlier outputs
as rounded on chain; the harness rounds it again in the documented direction and demands exact equality.

  python3 test/vectors/derive.py --check   # compare every file's expected block with a fresh derivation
  python3 test/vectors/derive.py --write   # fill in / refresh the expected blocks
"""
import datetime as dt
import glob
import json
import math
import os
import sys
from fractions import Fraction as F

HERE = os.path.dirname(os.path.abspath(__file__))


def day(s):
    return dt.date.fromisoformat(s)


def fmt(x):
    """Decimal text when the fraction terminates, else "num/den"."""
    x = F(x)
    d = x.denominator
    k = 0
    while d % 2 == 0 or d % 5 == 0:
        d //= 2 if d % 2 == 0 else 5
        k += 1
    if d != 1:
        return f"{x.numerator}/{x.denominator}"
    places = 0
    while (x * 10**places).denominator != 1:
        places += 1
    n = x * 10**places
    s = str(abs(n.numerator)).rjust(places + 1, "0")
    out = s if places == 0 else s[:-places] + "." + s[-places:]
    return ("-" if x < 0 else "") + out


def down(x, places):
    return F(math.floor(F(x) * 10**places), 10**places)


def up(x, places):
    return F(math.ceil(F(x) * 10**places), 10**places)


def last_day(y, m):
    return (dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)).day


def days360(conv, a, b, termination=False):
    d1, d2 = a.day, b.day
    if conv == "Thirty360BondBasis":
        if d1 == 31:
            d1 = 30
        if d2 == 31 and d1 > 29:
            d2 = 30
    elif conv == "Thirty360E":
        d1, d2 = min(d1, 30), min(d2, 30)
    elif conv == "Thirty360EIsda":
        if d1 == 31 or (a.month == 2 and d1 == last_day(a.year, 2)):
            d1 = 30
        if d2 == 31 or (b.month == 2 and d2 == last_day(b.year, 2) and not termination):
            d2 = 30
    return 360 * (b.year - a.year) + 30 * (b.month - a.month) + d2 - d1


def year_fraction(conv, a, b, period=None):
    if conv == "Act360":
        return F((b - a).days, 360)
    if conv == "Act365Fixed":
        return F((b - a).days, 365)
    if conv == "ActActIcma":
        ps, pe, f = period
        return F((b - a).days, f * (pe - ps).days)
    return F(days360(conv, a, b), 360)


def add_months(d, months, eom):
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    ld = last_day(y, m)
    return dt.date(y, m, ld if eom or d.day > ld else d.day)


def accrued(bond, settle):
    """Accrued coupon per unit in the bond's currency, exact."""
    rate = F(bond["couponRate"])
    if rate == 0:
        return F(0)
    issue = day(bond["issueDate"])
    f = bond["frequency"]
    eom = issue.day == last_day(issue.year, issue.month)
    k = 0
    while add_months(issue, (k + 1) * 12 // f, eom) <= settle:
        k += 1
    last, nxt = add_months(issue, k * 12 // f, eom), add_months(issue, (k + 1) * 12 // f, eom)
    return F(bond["faceValue"]) * rate * year_fraction(bond["dayCount"], last, settle, (last, nxt, f))


def repo(i):
    if i.get("holiday"):
        return {"skippedHoliday": True}
    d = i["cashDecimals"]
    val = day(i["valuationDate"])
    basis = i["basis"]

    def accrue(amount, rate, start):
        return F(amount) * (1 + F(rate) * F((val - day(start)).days, basis))

    rp_exact = accrue(i["purchasePrice"], i["repoRate"], i["startDate"])
    rp = up(rp_exact, d)
    sec = i["security"]
    acc_exact = accrued(sec, val) if sec["kind"] == "Bond" else F(0)
    acc = down(acc_exact, 18)
    dirty = F(i["cleanPrice"]) + acc
    mv_exact = F(i["quantity"]) * dirty * F(i["fxRate"])
    mv = down(mv_exact, d)
    bcm = sum((up(accrue(c["amount"], i["cashMarginRate"], c["postedOn"]), d) for c in i.get("cashMargins", []) if c["by"] == "Borrower"), F(0))
    lcm = sum((up(accrue(c["amount"], i["cashMarginRate"], c["postedOn"]), d) for c in i.get("cashMargins", []) if c["by"] == "Lender"), F(0))
    exposure = max(F(0), rp + lcm - bcm)
    if i.get("marginMethod", "B") == "A":
        return method_a(i, d, rp_exact, rp, acc_exact, dirty, mv_exact, mv, bcm, lcm, exposure)
    if mv == 0:
        # Worthless collateral: the largest call. LTV reported as the maximum; the borrower owes the whole
        # exposure in cash (no quantity of a worthless security restores the LTV), subject to the MTA.
        out = {
            "skippedHoliday": False,
            "repurchasePrice": fmt(rp_exact),
            "accruedCoupon": fmt(acc_exact),
            "dirtyPrice": fmt(dirty),
            "marketValue": fmt(mv_exact),
            "borrowerCashMargin": fmt(bcm),
            "lenderCashMargin": fmt(lcm),
            "exposure": fmt(exposure),
            "ltv": "max",
            "action": "None",
            "belowMinimumTransfer": False,
            "callCash": "0",
            "callQuantity": "0",
            "transactionExposure": fmt(exposure),
        }
        if exposure == 0:
            return out
        if exposure < F(i["minimumTransfer"]):
            out["belowMinimumTransfer"] = True
            return out
        out["action"] = "BorrowerCall"
        out["callCash"] = fmt(exposure)
        return out
    ltv_exact = exposure / mv
    ltv = up(ltv_exact, 18)
    ltv0 = F(i["initialLtv"])
    action = "BorrowerCall" if ltv > F(i["upperTrigger"]) else "LenderReturn" if ltv < F(i["lowerTrigger"]) else "None"
    out = {
        "skippedHoliday": False,
        "repurchasePrice": fmt(rp_exact),
        "accruedCoupon": fmt(acc_exact),
        "dirtyPrice": fmt(dirty),
        "marketValue": fmt(mv_exact),
        "borrowerCashMargin": fmt(bcm),
        "lenderCashMargin": fmt(lcm),
        "exposure": fmt(exposure),
        "ltv": fmt(ltv_exact),
        "action": "None",
        "belowMinimumTransfer": False,
        "callCash": "0",
        "callQuantity": "0",
        # Method B: the exposure less the haircut value of all the collateral (margin securities included).
        "transactionExposure": fmt(exposure - ltv0 * mv),
    }
    if action == "None":
        return out
    unit = dirty * F(i["fxRate"])
    cash = exposure - ltv0 * mv if action == "BorrowerCall" else ltv0 * mv - exposure
    rounded = up(cash, d) if action == "BorrowerCall" else down(cash, d)
    if rounded < F(i["minimumTransfer"]):
        out["belowMinimumTransfer"] = True
        return out
    out["action"] = action
    out["callCash"] = fmt(cash)
    out["callQuantity"] = fmt(cash / (ltv0 * unit))
    return out


def method_a(i, d, rp_exact, rp, acc_exact, dirty, mv_exact, mv, bcm, lcm, exposure):
    """GMRA Method A: X = margin ratio x RP + lender cash margin - borrower cash margin - MV; no corridor."""
    x = F(i["marginRatio"]) * rp + lcm - bcm - mv
    out = {
        "skippedHoliday": False,
        "repurchasePrice": fmt(rp_exact),
        "accruedCoupon": fmt(acc_exact),
        "dirtyPrice": fmt(dirty),
        "marketValue": fmt(mv_exact),
        "borrowerCashMargin": fmt(bcm),
        "lenderCashMargin": fmt(lcm),
        "exposure": fmt(exposure),
        "ltv": "max" if mv == 0 else fmt(exposure / mv),
        "action": "None",
        "belowMinimumTransfer": False,
        "callCash": "0",
        "callQuantity": "0",
        "transactionExposure": fmt(x),
    }
    # The borrower's delivery rounds up, the lender's return down.
    owed = up(x, d) if x > 0 else down(-x, d)
    if owed == 0:
        return out
    if owed < F(i["minimumTransfer"]):
        out["belowMinimumTransfer"] = True
        return out
    out["action"] = "BorrowerCall" if x > 0 else "LenderReturn"
    out["callCash"] = fmt(abs(x))
    if mv != 0:
        out["callQuantity"] = fmt(abs(x) / (dirty * F(i["fxRate"])))
    return out


def pledge(i):
    d = i["cashDecimals"]
    # Initial pledge rate: principal / value of the shares at the initial price (share value rounded down),
    # refused above the cap (a rate equal to the cap is accepted).
    init_value = down(F(i["shares"]) * F(i["initialPrice"]), d)
    init_rate = F(i["principal"]) / init_value
    if init_rate > F(i.get("maxInitialRate", "0.6")):
        return {"initialRate": fmt(init_rate), "refused": True}
    conv = i.get("dayCount", "Act365Fixed")
    rate = F(i["interestRate"])
    principal = F(i["principal"])
    interest = F(0)
    frm = day(i["startDate"])
    val = day(i["valuationDate"])
    for r in i.get("repayments", []):
        rd = day(r["date"])
        interest += up(principal * rate * year_fraction(conv, frm, rd), d)
        amt = F(r["amount"])
        assert amt <= principal + interest, f"repayment {amt} exceeds the debt {principal + interest}"
        if i.get("principalFirst", False):
            to_principal = min(amt, principal)
            principal -= to_principal
            interest -= amt - to_principal
        else:
            to_interest = min(amt, interest)
            interest -= to_interest
            principal -= amt - to_interest
        frm = rd
    interest += up(principal * rate * year_fraction(conv, frm, val), d)
    payable = principal + interest
    close = F(i["closePrice"])
    shares = F(i["shares"])
    cash = F(i.get("pledgedCash", "0"))
    sv_exact = shares * close
    sv = down(sv_exact, d)
    coll = sv + cash
    warn, liq, target = F(i.get("warningLine", "1.6")), F(i.get("liquidationLine", "1.4")), F(i["restoreTarget"])
    if payable == 0:
        ratio, level = "max", "Normal"
    else:
        r = coll / payable
        ratio = fmt(r)
        level = "Liquidation" if r <= liq else "Warning" if r <= warn else "Normal"
    gap = target * payable - coll
    due = level == "Liquidation" or (i.get("topUpAtWarning", False) and level == "Warning")
    liquid = due and gap > 0
    lot = int(i.get("boardLot", "1"))

    def line_price(line):
        # The close at which collateral / payable equals the line; rounded down on 18 places.
        g = line * payable - cash
        return "0" if shares == 0 or g <= 0 else fmt(g / shares)
    enf_cash = min(cash, payable)
    rest = payable - enf_cash
    needed = rest / close
    if math.ceil(needed) <= shares:
        enf_shares, shortfall = needed, F(0)
    else:
        enf_shares, shortfall = shares, rest - sv
    return {
        "initialRate": fmt(init_rate),
        "principalOutstanding": fmt(principal),
        "interestUnpaid": fmt(interest),
        "amountPayable": fmt(payable),
        "shareValue": fmt(sv_exact),
        "collateralValue": fmt(coll),
        "ratio": ratio,
        "level": level,
        "topUpShares": (fmt(gap / close) if lot == 1 else fmt(math.ceil(gap / close / lot) * lot)) if liquid else "0",
        "topUpCash": fmt(gap) if liquid else "0",
        "topUpRepayment": fmt(payable - coll / target) if liquid else "0",
        "warningPrice": line_price(warn),
        "liquidationPrice": line_price(liq),
        "enforcementCash": fmt(enf_cash),
        "enforcementShares": fmt(enf_shares),
        "enforcementShortfall": fmt(shortfall),
    }


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "--check"
    bad = 0
    for folder, fn in (("repo", repo), ("pledge", pledge)):
        for path in sorted(glob.glob(os.path.join(HERE, folder, "*.json"))):
            data = json.load(open(path))
            for c in data["cases"]:
                want = fn(c["input"])
                if mode == "--write":
                    c["expected"] = want
                elif c.get("expected") != want:
                    bad += 1
                    print(f"{os.path.basename(path)}: {c['name']}: expected block differs from the derivation")
            if mode == "--write":
                with open(path, "w") as f:
                    json.dump(data, f, indent=2, ensure_ascii=False)
                    f.write("\n")
    if bad:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
