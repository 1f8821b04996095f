// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ConsortiumUpgradeable} from "../access/ConsortiumUpgradeable.sol";
import {IParticipantRegistry, ParticipantKind, ParticipantStatus} from "../interfaces/IParticipantRegistry.sol";
import {IEncumberableToken} from "../interfaces/IEncumberableToken.sol";
import {ISecurityToken, ICashToken} from "../interfaces/ISecurityToken.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IHolidayCalendar} from "../interfaces/IHolidayCalendar.sol";
import {IPledgeBook, PledgeStatus} from "../interfaces/IPledgeBook.sol";
import {DayCountConvention} from "../libraries/DayCountConvention.sol";
import {PledgeMath} from "../libraries/PledgeMath.sol";
import {FixedPointMath} from "../libraries/FixedPointMath.sol";
import {PledgeTypes} from "./PledgeTypes.sol";
import {PledgeOperations} from "./PledgeOperations.sol";

/**
 * @title PledgeBook
 * @notice The depository's book of securities pledges (SPEC §5.2): request by both sides (calls or EIP-712
 * signatures, an investor possibly acting through its authorised broker), registration by the depository
 * (the shares are encumbered in the pledger's own account), daily valuation against the warning and
 * liquidation lines with a top-up obligation, repayments, release with the pledgee's consent, enforcement.
 * @dev Roles: `DEPOSITORY_ROLE` (the depository's signers) registers, enforces and pledges dividends;
 * `DEFAULT_ADMIN_ROLE` manages roles and upgrades. The book holds LOCK_OPERATOR_ROLE on every token
 * (a standing role of the token factory) and locks under the purpose (this book, pledge id).
 *
 * Valuation math is `PledgeMath` applied to the book's running debt: a repayment accrues interest since
 * the previous date (rounded up) and pays interest first, exactly as `PledgeMath.debt` walks repayments,
 * so a valuation equals `PledgeMath.value` over the full repayment history.
 *
 * Gas layout ({IPledgeBook-Pledge}): four words written at registration, accounts interned in an address
 * table; a valuation reads three slots (four once a repayment or pledged cash is recorded) and writes the head
 * only, where the idempotency marker (`valuedDate`) and the level live. The occasional operations run in the
 * linked library {PledgeOperations}; registration, valuation and enforcement stay here.
 */
contract PledgeBook is ConsortiumUpgradeable, EIP712Upgradeable, NoncesUpgradeable, IPledgeBook {
    using FixedPointMath for uint256;

    /* CONSTANTS */

    /// @notice Role of the depository's signers: registration, enforcement, pledged dividends.
    bytes32 public constant DEPOSITORY_ROLE = keccak256("DEPOSITORY_ROLE");
    /// @notice EIP-712 type of the terms.
    bytes32 public constant TERMS_TYPEHASH = keccak256(
        "Terms(address pledger,address pledgee,address security,address cashToken,uint256 quantity,"
        "uint256 principal,uint256 interestRate,uint8 dayCount,uint256 startDate,uint256 maturityDate,"
        "uint256 warningLine,uint256 liquidationLine,uint256 restoreTarget,uint256 topUpDays,bytes4 calendarId)"
    );
    /// @notice EIP-712 type both sides sign.
    bytes32 public constant REQUEST_TYPEHASH = keccak256(
        "PledgeRequest(Terms terms,uint256 nonce,uint256 deadline)"
        "Terms(address pledger,address pledgee,address security,address cashToken,uint256 quantity,"
        "uint256 principal,uint256 interestRate,uint8 dayCount,uint256 startDate,uint256 maturityDate,"
        "uint256 warningLine,uint256 liquidationLine,uint256 restoreTarget,uint256 topUpDays,bytes4 calendarId)"
    );
    /// @notice Default warning line, 160%.
    uint256 public constant DEFAULT_WARNING_LINE = 1.6e18;
    /// @notice Default liquidation line, 140%.
    uint256 public constant DEFAULT_LIQUIDATION_LINE = 1.4e18;

    uint8 private constant WITH_TOP_UPS = 1;
    uint8 private constant WITH_ENFORCEMENT = 2;
    uint8 private constant WITH_RATIO = 4;

    /* STORAGE */

    function _s() private pure returns (PledgeTypes.PledgeBookStorage storage $) {
        return PledgeTypes.layout();
    }

    /// @dev One cached close per security within a batch.
    struct PriceCache {
        address security;
        uint256 price;
    }

    /// @dev A valuation batch: its date and the closes read so far.
    struct Batch {
        PriceCache[] cache;
        uint256 cached;
        uint256 date;
    }

    /* INITIALIZER */

    /// @notice Initialises the proxy.
    /// @param admin Consortium admin (DEFAULT_ADMIN_ROLE).
    /// @param registry_ Participant registry.
    /// @param oracle_ Price oracle.
    /// @param calendar_ Holiday calendars.
    function initialize(address admin, address registry_, address oracle_, address calendar_) external initializer {
        if (registry_ == address(0)) revert ConsortiumZeroAddress("registry");
        if (oracle_ == address(0)) revert ConsortiumZeroAddress("oracle");
        if (calendar_ == address(0)) revert ConsortiumZeroAddress("calendar");
        __Consortium_init(admin);
        __EIP712_init("csd-ledger PledgeBook", "1");
        __Nonces_init();
        PledgeTypes.PledgeBookStorage storage $ = _s();
        $.registry = IParticipantRegistry(registry_);
        $.oracle = IPriceOracle(oracle_);
        $.calendar = IHolidayCalendar(calendar_);
    }

    /* BROKERS */

    /// @inheritdoc IPledgeBook
    function authoriseBroker(uint32 brokerId) external {
        PledgeOperations.authoriseBroker(brokerId);
    }

    /// @inheritdoc IPledgeBook
    function revokeBroker() external {
        PledgeOperations.revokeBroker();
    }

    /* LIFECYCLE */

    /// @inheritdoc IPledgeBook
    function request(Terms calldata terms) external returns (uint256 id) {
        (uint32 pledgerId, uint32 pledgeeId, PledgeTypes.CashTokenInfo memory cashInfo) = _checkTerms(terms);
        PledgeTypes.PledgeBookStorage storage $ = _s();
        uint8 flags;
        if (PledgeTypes.isPledgerSide($, terms.pledger, pledgerId, msg.sender)) flags = PledgeTypes.PLEDGER_CONSENT;
        else if (PledgeTypes.isPledgeeSide($, pledgeeId, msg.sender)) flags = PledgeTypes.PLEDGEE_CONSENT;
        else revert PledgeNotPledgerSide(terms.pledger, msg.sender);
        id = _store(terms, flags, cashInfo);
        emit PledgeConsented(id, flags == PledgeTypes.PLEDGER_CONSENT, msg.sender);
    }

    /// @inheritdoc IPledgeBook
    function requestSigned(
        Terms calldata terms,
        uint256 deadline,
        bytes calldata pledgerSignature,
        bytes calldata pledgeeSignature
    ) external returns (uint256 id) {
        if (!_s().registry.isActiveSigner(msg.sender)) revert PledgeNotPledgerSide(terms.pledger, msg.sender);
        id = _requestSigned(terms, deadline, pledgerSignature, pledgeeSignature);
    }

    /// @inheritdoc IPledgeBook
    function registerSigned(
        Terms calldata terms,
        uint256 deadline,
        bytes calldata pledgerSignature,
        bytes calldata pledgeeSignature
    ) external onlyRole(DEPOSITORY_ROLE) returns (uint256 id) {
        id = _requestSigned(terms, deadline, pledgerSignature, pledgeeSignature);
        _register(_s().pledges[id], id, terms.pledger);
    }

    /// @inheritdoc IPledgeBook
    function consent(uint256 id) external {
        PledgeOperations.consent(id);
    }

    /// @inheritdoc IPledgeBook
    function register(uint256 id) external onlyRole(DEPOSITORY_ROLE) {
        PledgeTypes.PledgeBookStorage storage $ = _s();
        Pledge storage p = PledgeTypes.requireStatus($, id, PledgeStatus.Requested);
        uint8 flags = p.flags;
        uint8 both = PledgeTypes.PLEDGER_CONSENT | PledgeTypes.PLEDGEE_CONSENT;
        if (flags & both != both) {
            revert PledgeConsentMissing(
                id,
                flags & PledgeTypes.PLEDGER_CONSENT != 0,
                flags & PledgeTypes.PLEDGEE_CONSENT != 0
            );
        }
        _register(p, id, $.accounts[p.pledger]);
    }

    /// @inheritdoc IPledgeBook
    function cancel(uint256 id) external {
        PledgeOperations.cancel(id, hasRole(DEPOSITORY_ROLE, msg.sender));
    }

    /// @inheritdoc IPledgeBook
    function value(uint256[] calldata ids, uint256 date) external returns (uint256 valued) {
        uint256 today = block.timestamp / 1 days;
        if (date > today) revert PledgeDateInvalid(date, 0, today);
        PledgeTypes.PledgeBookStorage storage $ = _s();
        Batch memory batch = Batch(new PriceCache[](ids.length), 0, date);
        for (uint256 i = 0; i < ids.length; i++) {
            if (_valueIfDue($, batch, ids[i])) valued++;
        }
    }

    /// @inheritdoc IPledgeBook
    function topUp(uint256 id, uint256 shares, uint256 cash) external {
        PledgeOperations.topUp(id, shares, cash, hasRole(DEPOSITORY_ROLE, msg.sender));
    }

    /// @inheritdoc IPledgeBook
    function repay(uint256 id, uint256 amount, uint256 date) external {
        PledgeOperations.repay(id, amount, date);
    }

    /// @inheritdoc IPledgeBook
    function release(uint256 id, uint256 shares, uint256 cash) external {
        PledgeOperations.release(id, shares, cash);
    }

    /// @inheritdoc IPledgeBook
    function enforce(uint256 id, uint256 date) external onlyRole(DEPOSITORY_ROLE) {
        PledgeTypes.PledgeBookStorage storage $ = _s();
        Pledge storage p = PledgeTypes.requireStatus($, id, PledgeStatus.Active);
        (PledgeMath.Output memory out, uint256 price) = _defaultValuation(p, id, date);
        uint256 shares = p.shares;
        // Cannot underflow: the collateral value is the share value plus the pledged cash.
        uint256 cash;
        unchecked {
            cash = out.collateralValue - out.shareValue;
        }
        // The pledge keeps the shares and cash it held when enforced (what moved and what was released is in
        // {PledgeEnforced}); only the status word is written.
        p.status = PledgeStatus.Enforced;
        address pledger = $.accounts[p.pledger];
        address pledgee = $.accounts[p.pledgee];
        // One token operation per asset: the units owed move to the pledgee, the rest of the lock is released.
        if (shares != 0) IEncumberableToken(p.security).takeEncumbered(pledger, pledgee, id, out.enforcementShares);
        if (cash != 0) {
            IEncumberableToken($.accounts[p.cashToken]).takeEncumbered(pledger, pledgee, id, out.enforcementCash);
        }
        emit PledgeEnforced(
            id,
            date,
            price,
            out.amountPayable,
            out.enforcementCash,
            out.enforcementShares,
            out.enforcementShortfall,
            shares - out.enforcementShares,
            cash - out.enforcementCash
        );
    }

    /* VIEWS */

    /// @inheritdoc IPledgeBook
    function pledgeWords(uint256 id) external view returns (bytes32[5] memory words, address[3] memory accounts) {
        Pledge storage p = _s().pledges[id];
        assembly ("memory-safe") {
            for {
                let i := 0
            } lt(i, 5) {
                i := add(i, 1)
            } {
                mstore(add(words, mul(i, 0x20)), sload(add(p.slot, i)))
            }
        }
        accounts = [_s().accounts[p.pledger], _s().accounts[p.pledgee], _s().accounts[p.cashToken]];
    }

    /// @inheritdoc IPledgeBook
    function pledgeCount() external view returns (uint256) {
        return _s().count;
    }

    /// @inheritdoc IPledgeBook
    function brokerOf(uint32 investorId) external view returns (uint32) {
        return _s().brokers[investorId];
    }

    /// @inheritdoc IPledgeBook
    function preview(
        uint256 id,
        uint256 date
    ) external view returns (PledgeMath.Output memory out, uint256 closePrice) {
        Pledge storage p = _s().pledges[id];
        if (p.status == PledgeStatus.None) revert PledgeUnknown(id);
        if (date < p.accruedTo) revert PledgeDateInvalid(date, p.accruedTo, type(uint32).max);
        closePrice = _tryPrice(_s().oracle, p.security, date);
        if (closePrice == 0) revert PledgeNoPrice(p.security, date);
        out = _compute(p, date, closePrice, WITH_RATIO | WITH_TOP_UPS | WITH_ENFORCEMENT);
    }

    /* INTERNALS */

    /// @dev Values pledge `id` at the batch date unless it is not Active, already valued with the same inputs,
    /// or valued later; returns whether it was valued.
    function _valueIfDue(
        PledgeTypes.PledgeBookStorage storage $,
        Batch memory batch,
        uint256 id
    ) private returns (bool) {
        Pledge storage p = $.pledges[id];
        uint256 date = batch.date;
        // Head slot: status, flags and the idempotency marker in one SLOAD.
        uint256 valuedDate = p.valuedDate;
        if (p.status != PledgeStatus.Active || date < valuedDate || date < p.accruedTo) return false;
        if (date == valuedDate && p.flags & PledgeTypes.INPUTS_CHANGED == 0) return false;
        uint256 price = _cachedPrice($.oracle, batch, p.security);
        if (price == 0) {
            emit PledgeValuationSkipped(id, date);
            return false;
        }
        _valueOne($, p, id, date, price);
        return true;
    }

    /// @dev Values one pledge, writes the head slot once, emits the valuation and any level or top-up event.
    function _valueOne(
        PledgeTypes.PledgeBookStorage storage $,
        Pledge storage p,
        uint256 id,
        uint256 date,
        uint256 price
    ) private {
        PledgeMath.Output memory out = _compute(p, date, price, WITH_RATIO | WITH_TOP_UPS);
        PledgeMath.Level previous = p.level;
        uint256 due = p.topUpDue;
        if (out.level == PledgeMath.Level.Liquidation) {
            if (due == 0) {
                due =
                    p.calendarId == bytes4(0)
                        ? date + p.topUpDays
                        : $.calendar.addBusinessDays(p.calendarId, date, p.topUpDays);
                emit PledgeTopUpCalled(id, date, out.topUpShares, out.topUpCash, out.topUpRepayment, due);
            }
        } else if (due != 0) {
            due = 0;
            emit PledgeTopUpCleared(id, date);
        }
        p.level = out.level;
        p.valuedDate = uint32(date);
        p.topUpDue = uint32(due);
        p.flags &= ~PledgeTypes.INPUTS_CHANGED;
        Valuation memory valuation;
        // A Valuation is the first ten words of PledgeMath.Output (same fields, same order, all static):
        // the event carries that prefix without copying it.
        assembly ("memory-safe") {
            valuation := out
        }
        // Cannot underflow: the collateral value is the share value plus the pledged cash.
        uint256 cash;
        unchecked {
            cash = out.collateralValue - out.shareValue;
        }
        emit PledgeValued(id, date, price, p.shares, cash, valuation);
        if (previous != out.level) emit PledgeLevelChanged(id, date, previous, out.level);
    }

    /// @dev `PledgeMath.value` over the running debt: the stored interest (accrued to `accruedTo`) plus one
    /// accrual segment to `date`, which is what `PledgeMath.debt` yields after walking the same repayments.
    /// `parts` selects the optional outputs: the top-up sizes (at Liquidation) for valuations, the enforcement
    /// amounts for enforcement, the ratio for valuations and previews; outputs not selected stay zero.
    function _compute(
        Pledge storage p,
        uint256 date,
        uint256 price,
        uint8 parts
    ) private view returns (PledgeMath.Output memory out) {
        uint8 d = p.cashDecimals;
        uint256 shares = p.shares;
        uint256 interest;
        uint256 cash;
        // The balances word is read only once something was recorded in it.
        if (p.flags & PledgeTypes.BALANCES != 0) {
            interest = p.interest;
            cash = p.pledgedCash;
        }
        out.principalOutstanding = p.principal;
        out.interestUnpaid =
            interest + PledgeMath.interestUp(out.principalOutstanding, p.interestRate, p.dayCount, p.accruedTo, date);
        out.amountPayable = out.principalOutstanding + out.interestUnpaid;
        out.shareValue = PledgeMath.shareValueDown(shares, price, d);
        out.collateralValue = out.shareValue + cash;
        if (parts & WITH_RATIO != 0) {
            out.ratio = out.amountPayable == 0 ? type(uint256).max : out.collateralValue.wDivDown(out.amountPayable);
        }
        out.level = PledgeMath.levelOf(out.collateralValue, out.amountPayable, p.warningLine, p.liquidationLine);
        if (parts & WITH_TOP_UPS != 0 && out.level == PledgeMath.Level.Liquidation) {
            (out.topUpShares, out.topUpCash, out.topUpRepayment) = PledgeMath.topUps(
                out.collateralValue,
                out.amountPayable,
                p.restoreTarget,
                price,
                d
            );
        }
        if (parts & WITH_ENFORCEMENT != 0) {
            (out.enforcementCash, out.enforcementShares, out.enforcementShortfall) = PledgeMath.enforcementAmounts(
                cash,
                shares,
                out.shareValue,
                out.amountPayable,
                price,
                d
            );
        }
    }

    /// @dev The close of `security` from the batch cache, reading the oracle on the first use.
    function _cachedPrice(
        IPriceOracle oracle,
        Batch memory batch,
        address security
    ) private view returns (uint256 price) {
        uint256 cached = batch.cached;
        for (uint256 k = 0; k < cached; k++) {
            if (batch.cache[k].security == security) return batch.cache[k].price;
        }
        price = _tryPrice(oracle, security, batch.date);
        batch.cache[cached] = PriceCache(security, price);
        batch.cached = cached + 1;
    }

    /// @dev Valuation at `date` for an enforcement; reverts unless the pledge is in default then.
    function _defaultValuation(
        Pledge storage p,
        uint256 id,
        uint256 date
    ) private view returns (PledgeMath.Output memory out, uint256 price) {
        uint256 today = block.timestamp / 1 days;
        uint256 valued = p.valuedDate;
        uint256 accrued = p.accruedTo;
        uint256 earliest = valued > accrued ? valued : accrued;
        if (date < earliest || date > today) revert PledgeDateInvalid(date, earliest, today);
        address security = p.security;
        price = _tryPrice(_s().oracle, security, date);
        if (price == 0) revert PledgeNoPrice(security, date);
        out = _compute(p, date, price, WITH_ENFORCEMENT);
        uint256 due = p.topUpDue;
        if (due != 0 && date > due && out.level == PledgeMath.Level.Liquidation) return (out, price);
        uint256 maturity = p.maturityDate;
        if (date <= maturity || out.amountPayable == 0) revert PledgeNotInDefault(id, date, due, maturity);
    }

    /// @dev Close of `security` for `date`, or 0 when the oracle has no readable price.
    function _tryPrice(IPriceOracle oracle, address security, uint256 date) private view returns (uint256) {
        try oracle.priceAt(ISecurityToken(security).isin(), date) returns (uint256 price, uint32) {
            return price;
        } catch {
            return 0;
        }
    }

    /// @dev Validates terms and parties; returns the parties' participant ids and the cash token's data.
    function _checkTerms(
        Terms calldata t
    ) private returns (uint32 pledgerId, uint32 pledgeeId, PledgeTypes.CashTokenInfo memory cashInfo) {
        IParticipantRegistry registry = _s().registry;
        (uint32 aId, ParticipantKind aKind, ParticipantStatus aStatus) = registry.signerOf(t.pledger);
        if (aKind != ParticipantKind.Investor || aStatus != ParticipantStatus.Active) {
            revert PledgePartyInvalid(t.pledger, uint8(aKind), uint8(aStatus));
        }
        (uint32 bId, ParticipantKind bKind, ParticipantStatus bStatus) = registry.signerOf(t.pledgee);
        if ((bKind != ParticipantKind.Bank && bKind != ParticipantKind.Broker) || bStatus != ParticipantStatus.Active) {
            revert PledgePartyInvalid(t.pledgee, uint8(bKind), uint8(bStatus));
        }
        if (t.quantity == 0 || t.quantity > type(uint96).max) revert PledgeTermInvalid("quantity", t.quantity);
        if (t.principal == 0 || t.principal > type(uint112).max) revert PledgeTermInvalid("principal", t.principal);
        if (t.interestRate > type(uint64).max) revert PledgeTermInvalid("interestRate", t.interestRate);
        if (t.dayCount == DayCountConvention.ActActIcma) revert PledgeTermInvalid("dayCount", uint8(t.dayCount));
        if (t.startDate == 0 || t.startDate > type(uint32).max) revert PledgeTermInvalid("startDate", t.startDate);
        if (t.maturityDate <= t.startDate || t.maturityDate > type(uint32).max) {
            revert PledgeTermInvalid("maturityDate", t.maturityDate);
        }
        if (t.topUpDays > type(uint8).max) revert PledgeTermInvalid("topUpDays", t.topUpDays);
        uint256 warning = t.warningLine == 0 ? DEFAULT_WARNING_LINE : t.warningLine;
        uint256 liquidation = t.liquidationLine == 0 ? DEFAULT_LIQUIDATION_LINE : t.liquidationLine;
        if (warning > type(uint64).max) revert PledgeTermInvalid("warningLine", warning);
        if (liquidation > warning) revert PledgeTermInvalid("liquidationLine", liquidation);
        if (t.restoreTarget != 0 && (t.restoreTarget < warning || t.restoreTarget > type(uint64).max)) {
            revert PledgeTermInvalid("restoreTarget", t.restoreTarget);
        }
        bytes3 sc = ISecurityToken(t.security).currency();
        cashInfo = _cashToken(t.cashToken);
        if (sc != cashInfo.currency) revert PledgeCurrencyMismatch(sc, cashInfo.currency);
        return (aId, bId, cashInfo);
    }

    /// @dev Writes a new pledge in status Requested (four words; the balances word stays zero) and emits
    /// {PledgeRequested}.
    function _store(
        Terms calldata t,
        uint8 flags,
        PledgeTypes.CashTokenInfo memory cashInfo
    ) private returns (uint256 id) {
        PledgeTypes.PledgeBookStorage storage $ = _s();
        id = ++$.count;
        Pledge storage p = $.pledges[id];
        p.security = t.security;
        p.status = PledgeStatus.Requested;
        p.flags = flags;
        p.topUpDays = uint8(t.topUpDays);
        p.shares = uint96(t.quantity);
        p.principal = uint112(t.principal);
        p.accruedTo = uint32(t.startDate);
        p.cashDecimals = cashInfo.decimals;
        p.dayCount = t.dayCount;
        p.interestRate = uint64(t.interestRate);
        p.warningLine = uint64(t.warningLine == 0 ? DEFAULT_WARNING_LINE : t.warningLine);
        p.liquidationLine = uint64(t.liquidationLine == 0 ? DEFAULT_LIQUIDATION_LINE : t.liquidationLine);
        p.restoreTarget = uint64(t.restoreTarget);
        p.pledger = PledgeTypes.intern($, t.pledger);
        p.pledgee = PledgeTypes.intern($, t.pledgee);
        p.cashToken = cashInfo.index;
        p.startDate = uint32(t.startDate);
        p.maturityDate = uint32(t.maturityDate);
        p.calendarId = t.calendarId;
        emit PledgeRequested(id, t.pledger, t.pledgee, t, msg.sender);
    }

    /// @dev Checks the deadline, the terms and both EIP-712 signatures (consuming the pledger's nonce), stores
    /// the pledge with both consents and emits {PledgeRequested} and two {PledgeConsented}.
    function _requestSigned(
        Terms calldata terms,
        uint256 deadline,
        bytes calldata pledgerSignature,
        bytes calldata pledgeeSignature
    ) private returns (uint256 id) {
        if (block.timestamp > deadline) revert PledgeSignatureExpired(deadline, block.timestamp);
        (uint32 pledgerId, uint32 pledgeeId, PledgeTypes.CashTokenInfo memory cashInfo) = _checkTerms(terms);
        bytes32 digest = _digest(terms, _useNonce(terms.pledger), deadline);
        PledgeTypes.PledgeBookStorage storage $ = _s();
        address a = ECDSA.recover(digest, pledgerSignature);
        if (!PledgeTypes.isPledgerSide($, terms.pledger, pledgerId, a)) revert PledgeNotPledgerSide(terms.pledger, a);
        address b = ECDSA.recover(digest, pledgeeSignature);
        if (!PledgeTypes.isPledgeeSide($, pledgeeId, b)) revert PledgeNotPledgeeSide(terms.pledgee, b);
        id = _store(terms, PledgeTypes.PLEDGER_CONSENT | PledgeTypes.PLEDGEE_CONSENT, cashInfo);
        emit PledgeConsented(id, true, a);
        emit PledgeConsented(id, false, b);
    }

    /// @dev Activates a consented pledge: resolves a defaulted restore target at the start date's close,
    /// encumbers the shares at the pledger and emits {PledgeRegistered}.
    function _register(Pledge storage p, uint256 id, address pledger) private {
        uint256 target = p.restoreTarget;
        if (target == 0) {
            uint256 price = _tryPrice(_s().oracle, p.security, p.startDate);
            if (price == 0) revert PledgeNoPrice(p.security, p.startDate);
            uint256 collateral = PledgeMath.shareValueDown(p.shares, price, p.cashDecimals);
            target = collateral.wDivDown(p.principal);
            if (target < p.warningLine) target = p.warningLine;
            if (target > type(uint64).max) target = type(uint64).max;
            p.restoreTarget = uint64(target);
        }
        p.status = PledgeStatus.Active;
        IEncumberableToken(p.security).encumber(pledger, id, p.shares);
        emit PledgeRegistered(id, p.shares, target, msg.sender);
    }

    /// @dev The kept currency, decimals and address-table index of `token`, read from the token on first use.
    function _cashToken(address token) private returns (PledgeTypes.CashTokenInfo memory info) {
        PledgeTypes.PledgeBookStorage storage $ = _s();
        info = $.cashTokens[token];
        if (info.currency == bytes3(0)) {
            info = PledgeTypes.CashTokenInfo(
                ICashToken(token).currency(),
                IEncumberableToken(token).decimals(),
                PledgeTypes.intern($, token)
            );
            $.cashTokens[token] = info;
        }
    }

    function _digest(Terms calldata t, uint256 nonce, uint256 deadline) private view returns (bytes32) {
        bytes32 termsHash = keccak256(abi.encode(TERMS_TYPEHASH, t));
        return _hashTypedDataV4(keccak256(abi.encode(REQUEST_TYPEHASH, termsHash, nonce, deadline)));
    }
}
