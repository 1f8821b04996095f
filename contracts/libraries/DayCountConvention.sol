// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/**
 * @notice Day-count conventions of DOMAIN.md §4 (ISDA 2006 §4.16), shared by instruments and deals.
 * `Legacy30360Unadjusted` is the pilot's raw 30/360 with no end-of-month adjustment, kept only so old
 * deals can be reproduced; it is never a default.
 */
enum DayCountConvention {
    Thirty360BondBasis,
    Thirty360E,
    Thirty360EIsda,
    Act360,
    Act365Fixed,
    ActActIcma,
    Legacy30360Unadjusted
}
