// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {CouponLib} from "../libraries/CouponLib.sol";
import {DayCountConvention} from "../libraries/DayCountConvention.sol";
import {DayCountLib} from "../libraries/DayCountLib.sol";
import {FixedPointMath} from "../libraries/FixedPointMath.sol";
import {PledgeMath} from "../libraries/PledgeMath.sol";
import {RepoMath} from "../libraries/RepoMath.sol";

/// @notice Exposes FixedPointMath to tests.
contract FixedPointMathHarness {
    function mulDivDown(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return FixedPointMath.mulDivDown(x, y, d);
    }

    function mulDivUp(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return FixedPointMath.mulDivUp(x, y, d);
    }

    function wMulDown(uint256 x, uint256 y) external pure returns (uint256) {
        return FixedPointMath.wMulDown(x, y);
    }

    function wMulUp(uint256 x, uint256 y) external pure returns (uint256) {
        return FixedPointMath.wMulUp(x, y);
    }

    function wDivDown(uint256 x, uint256 y) external pure returns (uint256) {
        return FixedPointMath.wDivDown(x, y);
    }

    function wDivUp(uint256 x, uint256 y) external pure returns (uint256) {
        return FixedPointMath.wDivUp(x, y);
    }

    function divUp(uint256 x, uint256 d) external pure returns (uint256) {
        return FixedPointMath.divUp(x, d);
    }
}

/// @notice Exposes DayCountLib and CouponLib to tests.
contract DayCountHarness {
    function fraction(DayCountConvention c, uint256 start, uint256 end) external pure returns (uint256, uint256) {
        return DayCountLib.fraction(c, start, end);
    }

    function fractionInPeriod(
        DayCountConvention c,
        uint256 start,
        uint256 end,
        DayCountLib.Period calldata p
    ) external pure returns (uint256, uint256) {
        return DayCountLib.fraction(c, start, end, p);
    }

    function days360(
        DayCountConvention c,
        uint256 start,
        uint256 end,
        bool endIsTermination
    ) external pure returns (uint256) {
        return DayCountLib.days360(c, start, end, endIsTermination);
    }

    function couponDate(uint256 issueDate, uint256 frequency, uint256 k) external pure returns (uint256) {
        return CouponLib.couponDate(issueDate, frequency, k);
    }

    function couponPeriod(CouponLib.Bond calldata bond, uint256 settlement) external pure returns (uint256, uint256) {
        return CouponLib.couponPeriod(bond, settlement);
    }

    function accruedFraction(
        CouponLib.Bond calldata bond,
        uint256 settlement
    ) external pure returns (uint256, uint256) {
        return CouponLib.accruedFraction(bond, settlement);
    }

    function accruedPerUnitDown(CouponLib.Bond calldata bond, uint256 settlement) external pure returns (uint256) {
        return CouponLib.accruedPerUnitDown(bond, settlement);
    }
}

/// @notice Exposes RepoMath and PledgeMath to tests and measures the gas of one revaluation.
contract RepoMathHarness {
    function revalue(RepoMath.Input calldata input) external pure returns (RepoMath.Output memory) {
        return RepoMath.revalue(input);
    }

    /// @notice Gas of the revaluation math alone (input already in memory), with its output.
    function revalueGas(
        RepoMath.Input calldata input
    ) external view returns (uint256 gasUsed, RepoMath.Output memory out) {
        RepoMath.Input memory m = input;
        uint256 before = gasleft();
        out = RepoMath.revalue(m);
        gasUsed = before - gasleft();
    }

    function accrueUp(
        uint256 amount,
        uint256 rate,
        uint256 from,
        uint256 to,
        uint256 basis
    ) external pure returns (uint256) {
        return RepoMath.accrueUp(amount, rate, from, to, basis);
    }

    function marketValueDown(uint256 q, uint256 price, uint256 fx, uint8 d) external pure returns (uint256) {
        return RepoMath.marketValueDown(q, price, fx, d);
    }

    function ltvUp(uint256 exposure, uint256 mv) external pure returns (uint256) {
        return RepoMath.ltvUp(exposure, mv);
    }

    function classify(uint256 ltv, uint256 lower, uint256 upper) external pure returns (RepoMath.Action) {
        return RepoMath.classify(ltv, lower, upper);
    }

    function borrowerCashCallUp(uint256 e, uint256 mv, uint256 ltv0) external pure returns (uint256) {
        return RepoMath.borrowerCashCallUp(e, mv, ltv0);
    }

    function lenderCashReturnDown(uint256 e, uint256 mv, uint256 ltv0) external pure returns (uint256) {
        return RepoMath.lenderCashReturnDown(e, mv, ltv0);
    }

    function borrowerQuantityCallUp(
        uint256 e,
        uint256 mv,
        uint256 ltv0,
        uint256 unit,
        uint8 d
    ) external pure returns (uint256) {
        return RepoMath.borrowerQuantityCallUp(e, mv, ltv0, unit, d);
    }

    function lenderQuantityReturnDown(
        uint256 e,
        uint256 mv,
        uint256 ltv0,
        uint256 unit,
        uint8 d
    ) external pure returns (uint256) {
        return RepoMath.lenderQuantityReturnDown(e, mv, ltv0, unit, d);
    }
}

/// @notice Exposes PledgeMath to tests and measures the gas of one valuation.
contract PledgeMathHarness {
    function value(PledgeMath.Input calldata input) external pure returns (PledgeMath.Output memory) {
        return PledgeMath.value(input);
    }

    /// @notice Initial pledge rate (rounded up) and whether it is above `cap`, as the book computes them.
    function initialRate(
        uint256 principal,
        uint256 shares,
        uint256 price,
        uint8 cashDecimals,
        uint256 cap
    ) external pure returns (uint256 rate, bool above) {
        uint256 shareValue = PledgeMath.shareValueDown(shares, price, cashDecimals);
        return (
            PledgeMath.initialRateUp(principal, shareValue),
            PledgeMath.initialRateAbove(principal, shareValue, cap)
        );
    }

    /// @notice Gas of the valuation math alone (input already in memory), with its output.
    function valueGas(
        PledgeMath.Input calldata input
    ) external view returns (uint256 gasUsed, PledgeMath.Output memory out) {
        PledgeMath.Input memory m = input;
        uint256 before = gasleft();
        out = PledgeMath.value(m);
        gasUsed = before - gasleft();
    }

    function levelOf(uint256 c, uint256 p, uint256 warn, uint256 liq) external pure returns (PledgeMath.Level) {
        return PledgeMath.levelOf(c, p, warn, liq);
    }
}
