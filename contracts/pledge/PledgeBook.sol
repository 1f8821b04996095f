// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ConsortiumUpgradeable} from "../access/ConsortiumUpgradeable.sol";
import {IParticipantRegistry} from "../interfaces/IParticipantRegistry.sol";
import {IEncumberableToken} from "../interfaces/IEncumberableToken.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IHolidayCalendar} from "../interfaces/IHolidayCalendar.sol";
import {IPledgeBook, PledgeStatus} from "../interfaces/IPledgeBook.sol";
import {ITokenFactory} from "../interfaces/ITokenFactory.sol";
import {PledgeMath} from "../libraries/PledgeMath.sol";
import {FixedPointMath} from "../libraries/FixedPointMath.sol";
import {PledgeTypes} from "./PledgeTypes.sol";
import {PledgeOperations} from "./PledgeOperations.sol";
import {PledgeValuation} from "./PledgeValuation.sol";

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
 * Gas layout ({IPledgeBook-Pledge}): three words written at registration, accounts and the security interned in
 * an address table (a security's entry keeps its ISIN, the oracle's feed id, so no valuation, registration or
 * enforcement asks the token for it); a valuation reads three slots (four once a repayment or pledged cash is
 * recorded) and writes the head only, where the idempotency marker (`valuedDate`) and the level live. The
 * occasional operations and the checking and storing of a request run in the linked library
 * {PledgeOperations}, the daily valuation in the linked library {PledgeValuation}; the signature checks,
 * registration and enforcement stay here. Tokens are vouched for by the token factory at their first pledge
 * (their kind, currency and ISIN are kept), calendars by the holiday calendars.
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
        "uint256 warningLine,uint256 liquidationLine,uint256 restoreTarget,uint256 topUpDays,bytes4 calendarId,"
        "uint256 maxInitialRate,bool topUpAtWarning,bool principalFirst)"
    );
    /// @notice EIP-712 type both sides sign.
    bytes32 public constant REQUEST_TYPEHASH = keccak256(
        "PledgeRequest(Terms terms,uint256 nonce,uint256 deadline)"
        "Terms(address pledger,address pledgee,address security,address cashToken,uint256 quantity,"
        "uint256 principal,uint256 interestRate,uint8 dayCount,uint256 startDate,uint256 maturityDate,"
        "uint256 warningLine,uint256 liquidationLine,uint256 restoreTarget,uint256 topUpDays,bytes4 calendarId,"
        "uint256 maxInitialRate,bool topUpAtWarning,bool principalFirst)"
    );
    /// @notice Default warning line, 160%.
    uint256 public constant DEFAULT_WARNING_LINE = PledgeTypes.DEFAULT_WARNING_LINE;
    /// @notice Default liquidation line, 140%.
    uint256 public constant DEFAULT_LIQUIDATION_LINE = PledgeTypes.DEFAULT_LIQUIDATION_LINE;
    /// @notice Default cap on the initial pledge rate, 60%.
    uint256 public constant DEFAULT_MAX_INITIAL_RATE = PledgeTypes.DEFAULT_MAX_INITIAL_RATE;
    /// @dev EIP-712 domain name and version, as initialised: constants, so a signature check reads no storage.
    string private constant EIP712_NAME = "csd-ledger PledgeBook";
    string private constant EIP712_VERSION = "1";

    /* STORAGE */

    function _s() private pure returns (PledgeTypes.PledgeBookStorage storage $) {
        return PledgeTypes.layout();
    }

    /* INITIALIZER */

    /// @notice Initialises the proxy.
    /// @param admin Consortium admin (DEFAULT_ADMIN_ROLE).
    /// @param registry_ Participant registry.
    /// @param oracle_ Price oracle.
    /// @param calendar_ Holiday calendars.
    /// @param factory_ Token factory (genuine security and cash tokens).
    function initialize(
        address admin,
        address registry_,
        address oracle_,
        address calendar_,
        address factory_
    ) external initializer {
        if (registry_ == address(0)) revert ConsortiumZeroAddress("registry");
        if (oracle_ == address(0)) revert ConsortiumZeroAddress("oracle");
        if (calendar_ == address(0)) revert ConsortiumZeroAddress("calendar");
        if (factory_ == address(0)) revert ConsortiumZeroAddress("factory");
        __Consortium_init(admin);
        __EIP712_init(EIP712_NAME, EIP712_VERSION);
        __Nonces_init();
        PledgeTypes.PledgeBookStorage storage $ = _s();
        $.registry = IParticipantRegistry(registry_);
        $.oracle = IPriceOracle(oracle_);
        $.calendar = IHolidayCalendar(calendar_);
        $.factory = ITokenFactory(factory_);
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
        return PledgeOperations.request(terms);
    }

    /// @inheritdoc IPledgeBook
    function requestSigned(
        Terms calldata terms,
        uint256 deadline,
        bytes calldata pledgerSignature,
        bytes calldata pledgeeSignature
    ) external returns (uint256 id) {
        if (!_s().registry.isActiveSigner(msg.sender)) revert PledgeNotPledgerSide(terms.pledger, msg.sender);
        (id, ) = _requestSigned(terms, deadline, pledgerSignature, pledgeeSignature, true);
    }

    /// @inheritdoc IPledgeBook
    function registerSigned(
        Terms calldata terms,
        uint256 deadline,
        bytes calldata pledgerSignature,
        bytes calldata pledgeeSignature
    ) external onlyRole(DEPOSITORY_ROLE) returns (uint256 id) {
        bytes12 isin;
        (id, isin) = _requestSigned(terms, deadline, pledgerSignature, pledgeeSignature, false);
        uint256 cap = terms.maxInitialRate;
        _register(_s().pledges[id], id, terms.pledger, terms.security, isin, cap == 0 ? DEFAULT_MAX_INITIAL_RATE : cap);
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
        // The pledge's own cap waits in the request word until now; the word is cleared.
        uint256 cap = DEFAULT_MAX_INITIAL_RATE;
        if (flags & PledgeTypes.OWN_CAP != 0) {
            cap = p.maxInitialRate;
            p.maxInitialRate = 0;
            p.flags = flags & ~PledgeTypes.OWN_CAP;
        }
        PledgeTypes.Account memory security = $.accounts[p.security];
        _register(p, id, $.accounts[p.pledger].account, security.account, security.isin, cap);
    }

    /// @inheritdoc IPledgeBook
    function cancel(uint256 id) external {
        PledgeOperations.cancel(id, hasRole(DEPOSITORY_ROLE, msg.sender));
    }

    /// @inheritdoc IPledgeBook
    function value(uint256[] calldata ids, uint256 date) external returns (uint256 valued) {
        return PledgeValuation.value(ids, date);
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
    function setBoardLot(address security, uint256 boardLot) external onlyRole(DEPOSITORY_ROLE) {
        PledgeOperations.setBoardLot(security, boardLot);
    }

    /// @inheritdoc IPledgeBook
    function enforce(uint256 id, uint256 date) external onlyRole(DEPOSITORY_ROLE) {
        PledgeTypes.PledgeBookStorage storage $ = _s();
        Pledge storage p = PledgeTypes.requireStatus($, id, PledgeStatus.Active);
        PledgeTypes.Account memory security = $.accounts[p.security];
        (PledgeMath.Output memory out, uint256 price) = _defaultValuation(p, id, date, security);
        uint256 shares = p.shares;
        // Cannot underflow: the collateral value is the share value plus the pledged cash.
        uint256 cash;
        unchecked {
            cash = out.collateralValue - out.shareValue;
        }
        // The pledge keeps the shares and cash it held when enforced (what moved and what was released is in
        // {PledgeEnforced}); only the status word is written.
        p.status = PledgeStatus.Enforced;
        address pledger = $.accounts[p.pledger].account;
        address pledgee = $.accounts[p.pledgee].account;
        // One token operation per asset: the units owed move to the pledgee, the rest of the lock is released.
        if (shares != 0) {
            IEncumberableToken(security.account).takeEncumbered(pledger, pledgee, id, out.enforcementShares);
        }
        if (cash != 0) {
            IEncumberableToken($.accounts[p.cashToken].account).takeEncumbered(
                pledger,
                pledgee,
                id,
                out.enforcementCash
            );
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
    function pledgeWords(uint256 id) external view returns (bytes32[5] memory words, address[4] memory accounts) {
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
        PledgeTypes.PledgeBookStorage storage $ = _s();
        accounts = [
            $.accounts[p.pledger].account,
            $.accounts[p.pledgee].account,
            $.accounts[p.cashToken].account,
            $.accounts[p.security].account
        ];
    }

    /// @inheritdoc IPledgeBook
    function boardLotOf(address security) external view returns (uint256) {
        uint256 lot = _s().boardLots[security];
        return lot == 0 ? 1 : lot;
    }

    /**
     * @notice See {ConsortiumUpgradeable-storageLayoutVersion}.
     * @dev 2: the pledge in three words with the security interned (version 1 kept it in four, the security by
     * address). A book holding pledges of version 1 is not upgraded in place (docs/pledge.md).
     * @return The layout version, 2.
     */
    function storageLayoutVersion() external pure virtual override returns (uint256) {
        return 2;
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
        return PledgeValuation.preview(id, date);
    }

    /* INTERNALS */

    /// @dev Valuation at `date` for an enforcement; reverts unless the pledge is in default then.
    function _defaultValuation(
        Pledge storage p,
        uint256 id,
        uint256 date,
        PledgeTypes.Account memory security
    ) private view returns (PledgeMath.Output memory out, uint256 price) {
        uint256 today = block.timestamp / 1 days;
        uint256 valued = p.valuedDate;
        uint256 accrued = p.accruedTo;
        uint256 earliest = valued > accrued ? valued : accrued;
        if (date < earliest || date > today) revert PledgeDateInvalid(date, earliest, today);
        // The depository's decision, like registration: the price as it stands for the date.
        price = _tryPrice(_s().oracle, security.isin, date);
        if (price == 0) revert PledgeNoPrice(security.account, date);
        out = PledgeTypes.compute(p, date, price, PledgeTypes.WITH_ENFORCEMENT);
        uint256 due = p.topUpDue;
        if (due != 0 && date > due && PledgeMath.topUpDue(out.level, p.flags & PledgeTypes.TOP_UP_AT_WARNING != 0)) {
            return (out, price);
        }
        uint256 maturity = p.maturityDate;
        if (date <= maturity || out.amountPayable == 0) revert PledgeNotInDefault(id, date, due, maturity);
    }

    /// @dev Latest price of the security of ISIN `isin` dated on or before `date` (the oracle's `priceAt`), or 0
    /// when none is readable: registration and enforcement read the price as it stands.
    function _tryPrice(IPriceOracle oracle, bytes12 isin, uint256 date) private view returns (uint256) {
        try oracle.priceAt(isin, date) returns (uint256 price, uint32) {
            return price;
        } catch {
            return 0;
        }
    }

    /// @dev Checks the deadline, the terms and both EIP-712 signatures (consuming the pledger's nonce), stores
    /// the pledge with both consents (its own cap kept when `keepCap`) and emits {PledgeRequested} and two
    /// {PledgeConsented}; returns the security's ISIN too. The library stores the pledge before the signatures
    /// are checked here: a refused signature reverts the whole call.
    function _requestSigned(
        Terms calldata terms,
        uint256 deadline,
        bytes calldata pledgerSignature,
        bytes calldata pledgeeSignature,
        bool keepCap
    ) private returns (uint256 id, bytes12 isin) {
        if (block.timestamp > deadline) revert PledgeSignatureExpired(deadline, block.timestamp);
        uint32 pledgerId;
        uint32 pledgeeId;
        (id, pledgerId, pledgeeId, isin) = PledgeOperations.requestConsented(terms, keepCap);
        (address a, address b) = _signers(terms, deadline, pledgerSignature, pledgeeSignature, pledgerId, pledgeeId);
        emit PledgeConsented(id, true, a);
        emit PledgeConsented(id, false, b);
    }

    /// @dev The signers of both sides' signatures (consuming the pledger's nonce); reverts unless the first acts
    /// for the pledger (not as the pledgee's broker) and the second for the pledgee.
    function _signers(
        Terms calldata terms,
        uint256 deadline,
        bytes calldata pledgerSignature,
        bytes calldata pledgeeSignature,
        uint32 pledgerId,
        uint32 pledgeeId
    ) private returns (address a, address b) {
        bytes32 digest = _digest(terms, _useNonce(terms.pledger), deadline);
        PledgeTypes.PledgeBookStorage storage $ = _s();
        a = ECDSA.recover(digest, pledgerSignature);
        // The pledger and pledgee accounts themselves were found active signers of their participants by the
        // terms check: only another signer is looked up.
        uint32 via = a == terms.pledger ? pledgerId : PledgeTypes.pledgerSideOf($, terms.pledger, pledgerId, a);
        if (via == 0) revert PledgeNotPledgerSide(terms.pledger, a);
        // An investor is never the pledgee: only a broker signer can meet this.
        if (via == pledgeeId) revert PledgeBrokerIsPledgee(via, a);
        b = ECDSA.recover(digest, pledgeeSignature);
        if (b != terms.pledgee && !PledgeTypes.isPledgeeSide($, pledgeeId, b))
            revert PledgeNotPledgeeSide(terms.pledgee, b);
    }

    /// @dev Activates a consented pledge: values the shares at the initial price, refuses an initial pledge rate
    /// above the cap, resolves a defaulted restore target (the initial ratio), encumbers the shares at the
    /// pledger and emits {PledgeRegistered}. The initial price is the start date's: the oracle's `priceAt` for
    /// the start date (its close, or the last one before it within the feed's maximum age). Once a later price
    /// was pushed the oracle no longer holds it (it keeps the latest price of a feed only), and the price as it
    /// stands at registration, `priceAt` for today (dated after the start date, within the maximum age of
    /// today), values the shares being encumbered. Registration is refused before the start date (the
    /// accrued-to date of a Requested pledge).
    function _register(
        Pledge storage p,
        uint256 id,
        address pledger,
        address security,
        bytes12 isin,
        uint256 cap
    ) private {
        uint256 price = _initialPrice(p.accruedTo, security, isin);
        (uint256 rate, uint256 target) = _initialRate(p, id, price, cap);
        p.status = PledgeStatus.Active;
        uint256 shares = p.shares;
        IEncumberableToken(security).encumber(pledger, id, shares);
        emit PledgeRegistered(id, shares, target, price, rate, msg.sender);
    }

    /// @dev The initial price (see {_register}); reverts before the start date or when none is readable.
    function _initialPrice(uint256 start, address security, bytes12 isin) private view returns (uint256 price) {
        uint256 today = block.timestamp / 1 days;
        if (start > today) revert PledgeNoPrice(security, start);
        IPriceOracle oracle = _s().oracle;
        price = _tryPrice(oracle, isin, start);
        if (price != 0) return price;
        price = _tryPrice(oracle, isin, today);
        if (price == 0) revert PledgeNoPrice(security, today);
    }

    /// @dev The initial pledge rate at `price` (rounded up; reverts above `cap`) and the restore target in force,
    /// a defaulted one resolved to the initial ratio (at least the warning line) and stored.
    function _initialRate(
        Pledge storage p,
        uint256 id,
        uint256 price,
        uint256 cap
    ) private returns (uint256 rate, uint256 target) {
        uint256 principal = p.principal;
        uint256 collateral = PledgeMath.shareValueDown(p.shares, price, p.cashDecimals);
        rate = PledgeMath.initialRateUp(principal, collateral);
        if (PledgeMath.initialRateAbove(principal, collateral, cap)) revert PledgeInitialRateAboveCap(id, rate, cap);
        target = p.restoreTarget;
        if (target == 0) {
            target = collateral.wDivDown(principal);
            if (target < p.warningLine) target = p.warningLine;
            if (target > type(uint64).max) target = type(uint64).max;
            p.restoreTarget = uint64(target);
        }
    }

    /// @dev The domain name, a constant (the storage copy written at initialisation is the same).
    function _EIP712Name() internal pure override returns (string memory) {
        return EIP712_NAME;
    }

    /// @dev The domain version, a constant (the storage copy written at initialisation is the same).
    function _EIP712Version() internal pure override returns (string memory) {
        return EIP712_VERSION;
    }

    function _digest(Terms calldata t, uint256 nonce, uint256 deadline) private view returns (bytes32) {
        bytes32 termsHash = keccak256(abi.encode(TERMS_TYPEHASH, t));
        return _hashTypedDataV4(keccak256(abi.encode(REQUEST_TYPEHASH, termsHash, nonce, deadline)));
    }
}
