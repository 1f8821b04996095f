// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ConsortiumUpgradeable} from "../access/ConsortiumUpgradeable.sol";
import {IParticipantRegistry, ParticipantStatus} from "../interfaces/IParticipantRegistry.sol";
import {ITokenFactory} from "../interfaces/ITokenFactory.sol";
import {IEncumberableToken} from "../interfaces/IEncumberableToken.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IHolidayCalendar} from "../interfaces/IHolidayCalendar.sol";
import {IRepoBook, RepoStatus, RepoSide} from "../interfaces/IRepoBook.sol";
import {RepoMath} from "../libraries/RepoMath.sol";
import {RepoRevaluation} from "./RepoRevaluation.sol";
import {RepoTypes} from "./RepoTypes.sol";
import {RepoOperations} from "./RepoOperations.sol";

/**
 * @title RepoBook
 * @notice The book of repo deals with an LTV corridor: one singleton, deals by id. See {IRepoBook}.
 * @dev Storage per deal: the terms revaluation reads are packed into four slots (security, currency,
 * calendar, basis, deadline, cash decimals, day count | purchase price, minimum transfer | repo rate, cash
 * margin rate, initial LTV, lower trigger | upper trigger, dates, party ids); accounts, purchased quantity
 * and the terms hash take three more; the mutable state (status, flags, margin count, last revalued date,
 * LTV, collateral quantity) is ONE slot, written once per revaluation, and the last revalued date in it is
 * the idempotency marker (layout in {RepoTypes}). Security data (ISIN, currency, bond terms), the cash token
 * of a currency and known calendars are recorded once, at first use. Revaluation ({RepoRevaluation}) and
 * proposal validation, margin obligations (settlement, transfers, overdue) and token movements
 * ({RepoOperations}) are linked libraries called by DELEGATECALL,
 * which keeps the book under the contract size limit; they act on the book's storage and emit its events.
 *
 * Roles: AGENT_ROLE (the tri-party agent, the depository) accepts deals, settles or confirms opening legs,
 * off-chain margin transfers, closing legs and close-outs; the parties' authorised signers (registry) propose,
 * sign (EIP-712), settle their calls on chain, agree terminations, cancel, attach documents and post messages;
 * revaluation is open to anyone; DEFAULT_ADMIN_ROLE grants roles and upgrades. The book must hold
 * LOCK_OPERATOR_ROLE (collateral encumbrances) and SETTLEMENT_ROLE (compliant free-balance legs) on the
 * security and cash tokens, as standing roles of the token factory.
 */
contract RepoBook is ConsortiumUpgradeable, EIP712Upgradeable, NoncesUpgradeable, IRepoBook {
    /// @notice Role of the tri-party agent.
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");
    /// @notice Most cash margin transfers a deal holds (bounds the revaluation's cost).
    uint256 public constant MAX_CASH_MARGINS = 16;
    /// @notice Longest margin-call deadline, business days.
    uint256 public constant MAX_MARGIN_DEADLINE_DAYS = 30;

    /// @notice EIP-712 type of the terms.
    bytes32 public constant TERMS_TYPEHASH = keccak256(
        "Terms(uint32 borrower,uint32 lender,address borrowerAccount,address lenderAccount,address security,"
        "uint96 quantity,bytes3 currency,uint128 purchasePrice,uint64 repoRate,uint16 basis,uint32 tradeDate,"
        "uint32 startDate,uint32 repurchaseDate,uint64 initialLtv,uint64 lowerTrigger,uint64 upperTrigger,"
        "uint8 marginDeadlineDays,uint128 minimumTransfer,uint64 cashMarginRate,bytes4 calendar,"
        "uint8 couponDayCount,uint8 marginMethod,uint64 marginRatio)"
    );
    /// @notice EIP-712 type a party's signer signs.
    bytes32 public constant SIGNATURE_TYPEHASH = keccak256(
        "RepoSignature(uint256 dealId,Terms terms,uint256 nonce,uint256 deadline)"
        "Terms(uint32 borrower,uint32 lender,address borrowerAccount,address lenderAccount,address security,"
        "uint96 quantity,bytes3 currency,uint128 purchasePrice,uint64 repoRate,uint16 basis,uint32 tradeDate,"
        "uint32 startDate,uint32 repurchaseDate,uint64 initialLtv,uint64 lowerTrigger,uint64 upperTrigger,"
        "uint8 marginDeadlineDays,uint128 minimumTransfer,uint64 cashMarginRate,bytes4 calendar,"
        "uint8 couponDayCount,uint8 marginMethod,uint64 marginRatio)"
    );

    /// @dev Layout of the book's storage (ERC-7201 namespace `csd.storage.RepoBook`): see {RepoTypes}.
    function _s() private pure returns (RepoTypes.RepoStorage storage) {
        return RepoTypes.layout();
    }

    /// @notice Initialises the proxy.
    /// @param admin Consortium admin; also receives AGENT_ROLE (grant it to the depository's agent signers).
    /// @param registry_ Participant registry.
    /// @param factory_ Token factory (genuine securities and cash tokens).
    /// @param oracle_ Price oracle.
    /// @param calendar_ Holiday calendars.
    function initialize(
        address admin,
        address registry_,
        address factory_,
        address oracle_,
        address calendar_
    ) external initializer {
        if (registry_ == address(0)) revert ConsortiumZeroAddress("registry");
        if (factory_ == address(0)) revert ConsortiumZeroAddress("factory");
        if (oracle_ == address(0)) revert ConsortiumZeroAddress("oracle");
        if (calendar_ == address(0)) revert ConsortiumZeroAddress("calendar");
        __Consortium_init(admin);
        __EIP712_init("csd-ledger RepoBook", "1");
        __Nonces_init();
        _grantRole(AGENT_ROLE, admin);
        RepoTypes.RepoStorage storage $ = _s();
        $.registry = IParticipantRegistry(registry_);
        $.factory = ITokenFactory(factory_);
        $.oracle = IPriceOracle(oracle_);
        $.calendar = IHolidayCalendar(calendar_);
    }

    /* PARTIES */

    /// @inheritdoc IRepoBook
    function propose(Terms calldata t) external returns (uint256 dealId) {
        address caller = _msgSender();
        IParticipantRegistry registry = _s().registry;
        if (
            !registry.isAuthorisedSigner(t.borrower, caller) &&
            !registry.isAuthorisedSigner(t.lender, caller) &&
            !hasRole(AGENT_ROLE, caller)
        ) revert RepoNotAuthorised(0, caller);
        return RepoOperations.propose(t, caller);
    }

    /// @inheritdoc IRepoBook
    function sign(uint256 dealId, address signer, uint256 deadline, bytes calldata signature) external {
        RepoTypes.Deal storage d = _deal(dealId);
        RepoTypes.State memory s = d.state;
        if (s.status != RepoStatus.Proposed) revert RepoWrongStatus(dealId, s.status);
        _recordSignature(dealId, d, s, signer, deadline, signature);
        d.state = s;
    }

    /// @inheritdoc IRepoBook
    function settleObligation(uint256 dealId, RepoSide side, bool inSecurities) external {
        RepoTypes.Deal storage d = _deal(dealId);
        uint32 party = side == RepoSide.Borrower ? d.borrower : d.lender;
        if (!_s().registry.isAuthorisedSigner(party, _msgSender())) revert RepoNotAuthorised(dealId, _msgSender());
        RepoOperations.settleCall(dealId, side, inSecurities, true, bytes32(0));
    }

    /// @inheritdoc IRepoBook
    function agreeTermination(uint256 dealId) external {
        RepoTypes.Deal storage d = _deal(dealId);
        RepoTypes.State memory s = _activeState(dealId, d);
        uint32 party;
        uint8 flag;
        if (_s().registry.isAuthorisedSigner(d.borrower, _msgSender())) {
            (party, flag) = (d.borrower, RepoTypes.F_BORROWER_AGREED);
        } else if (_s().registry.isAuthorisedSigner(d.lender, _msgSender())) {
            (party, flag) = (d.lender, RepoTypes.F_LENDER_AGREED);
        } else {
            revert RepoNotAuthorised(dealId, _msgSender());
        }
        if (s.flags & flag != 0) revert RepoAlreadyAgreed(dealId, party);
        s.flags |= flag;
        d.state = s;
        emit RepoTerminationAgreed(dealId, party);
    }

    /// @inheritdoc IRepoBook
    function cancel(uint256 dealId) external {
        RepoTypes.Deal storage d = _deal(dealId);
        _checkPartyOrAgent(dealId, d);
        RepoStatus status = d.state.status;
        if (status != RepoStatus.Proposed && status != RepoStatus.Signed && status != RepoStatus.Accepted) {
            revert RepoWrongStatus(dealId, status);
        }
        d.state.status = RepoStatus.Cancelled;
        emit RepoCancelled(dealId, _msgSender());
    }

    /// @inheritdoc IRepoBook
    function attachDocument(uint256 dealId, bytes32 documentHash, string calldata uri) external {
        _checkPartyOrAgent(dealId, _deal(dealId));
        if (documentHash == bytes32(0)) revert RepoTermInvalid("documentHash", 0);
        emit RepoDocumentAttached(dealId, documentHash, uri, _msgSender());
    }

    /// @inheritdoc IRepoBook
    function postMessage(uint256 dealId, bytes32 contentHash, string calldata uri) external {
        _checkPartyOrAgent(dealId, _deal(dealId));
        if (contentHash == bytes32(0)) revert RepoTermInvalid("contentHash", 0);
        emit RepoMessagePosted(dealId, contentHash, uri, _msgSender());
    }

    /// @inheritdoc IRepoBook
    function markOverdue(uint256 dealId, RepoSide side) external {
        _checkPartyOrAgent(dealId, _deal(dealId));
        RepoOperations.markOverdue(dealId, side, _msgSender());
    }

    /* AGENT */

    /// @inheritdoc IRepoBook
    function accept(uint256 dealId) external onlyRole(AGENT_ROLE) {
        RepoTypes.Deal storage d = _deal(dealId);
        RepoStatus status = d.state.status;
        if (status != RepoStatus.Signed) revert RepoWrongStatus(dealId, status);
        d.state.status = RepoStatus.Accepted;
        emit RepoAccepted(dealId, _msgSender());
    }

    /// @inheritdoc IRepoBook
    function acceptWithSignatures(uint256 dealId, PartySignature[] calldata signatures) external onlyRole(AGENT_ROLE) {
        RepoTypes.Deal storage d = _deal(dealId);
        RepoTypes.State memory s = d.state;
        if (s.status != RepoStatus.Proposed && s.status != RepoStatus.Signed) revert RepoWrongStatus(dealId, s.status);
        for (uint256 i = 0; i < signatures.length; ++i) {
            PartySignature calldata p = signatures[i];
            _recordSignature(dealId, d, s, p.signer, p.deadline, p.signature);
        }
        if (s.status != RepoStatus.Signed) revert RepoWrongStatus(dealId, s.status);
        s.status = RepoStatus.Accepted;
        d.state = s;
        emit RepoAccepted(dealId, _msgSender());
    }

    /// @inheritdoc IRepoBook
    function settleOpening(uint256 dealId) external onlyRole(AGENT_ROLE) {
        _open(dealId, true, bytes32(0));
    }

    /// @inheritdoc IRepoBook
    function confirmOpening(uint256 dealId, bytes32 settlementRef) external onlyRole(AGENT_ROLE) {
        _open(dealId, false, settlementRef);
    }

    /// @inheritdoc IRepoBook
    function confirmObligation(
        uint256 dealId,
        RepoSide side,
        bool inSecurities,
        bytes32 settlementRef
    ) external onlyRole(AGENT_ROLE) {
        _deal(dealId);
        RepoOperations.settleCall(dealId, side, inSecurities, false, settlementRef);
    }

    /// @inheritdoc IRepoBook
    function recordMarginTransfer(
        uint256 dealId,
        RepoSide side,
        bool inSecurities,
        uint256 amount,
        uint32 postedOn,
        bytes32 settlementRef
    ) external onlyRole(AGENT_ROLE) {
        _deal(dealId);
        RepoOperations.recordTransfer(dealId, side, inSecurities, amount, postedOn, settlementRef);
    }

    /// @inheritdoc IRepoBook
    function settleRepurchase(uint256 dealId) external onlyRole(AGENT_ROLE) {
        RepoOperations.close(dealId, true);
    }

    /// @inheritdoc IRepoBook
    function confirmRepurchase(uint256 dealId) external onlyRole(AGENT_ROLE) {
        RepoOperations.close(dealId, false);
    }

    /// @inheritdoc IRepoBook
    function closeOutDefault(
        uint256 dealId,
        bool collateralToBorrower,
        bytes32 settlementRef
    ) external onlyRole(AGENT_ROLE) {
        _deal(dealId);
        RepoOperations.closeOutDefault(dealId, collateralToBorrower, settlementRef);
    }

    /* ANYONE */

    /// @inheritdoc IRepoBook
    function revalue(uint256[] calldata dealIds, uint256 date) external returns (uint256 revalued, uint256 calls) {
        return RepoRevaluation.revalue(dealIds, date);
    }

    /* VIEWS */

    /// @dev The EIP-712 domain name as a constant: no storage read per signature.
    function _EIP712Name() internal pure override returns (string memory) {
        return "csd-ledger RepoBook";
    }

    /// @dev The EIP-712 domain version as a constant.
    function _EIP712Version() internal pure override returns (string memory) {
        return "1";
    }

    /// @inheritdoc IRepoBook
    function terms(uint256 dealId) external view returns (Terms memory t) {
        RepoTypes.Deal storage d = _deal(dealId);
        t.borrower = d.borrower;
        t.lender = d.lender;
        t.borrowerAccount = d.borrowerAccount;
        t.lenderAccount = d.lenderAccount;
        t.security = d.security;
        t.quantity = d.quantity;
        t.currency = d.currency;
        t.purchasePrice = d.purchasePrice;
        t.repoRate = d.repoRate;
        t.basis = d.basis;
        t.tradeDate = d.tradeDate;
        t.startDate = d.startDate;
        t.repurchaseDate = d.repurchaseDate;
        t.initialLtv = d.initialLtv;
        t.lowerTrigger = d.lowerTrigger;
        t.upperTrigger = d.upperTrigger;
        t.marginDeadlineDays = d.marginDeadlineDays;
        t.minimumTransfer = d.minimumTransfer;
        t.cashMarginRate = d.cashMarginRate;
        t.calendar = d.calendar;
        t.couponDayCount = uint8(d.couponDayCount);
        t.marginRatio = uint64(uint256(d.marginRatioE8) * RepoTypes.MARGIN_RATIO_STEP);
        if (t.marginRatio != 0) t.marginMethod = 1;
    }

    /// @inheritdoc IRepoBook
    function dealState(uint256 dealId) external view returns (DealState memory v) {
        RepoTypes.State memory s = _deal(dealId).state;
        v.status = s.status;
        v.borrowerSigned = s.flags & RepoTypes.F_BORROWER_SIGNED != 0;
        v.lenderSigned = s.flags & RepoTypes.F_LENDER_SIGNED != 0;
        v.onChain = s.flags & RepoTypes.F_ON_CHAIN != 0;
        v.borrowerAgreedTermination = s.flags & RepoTypes.F_BORROWER_AGREED != 0;
        v.lenderAgreedTermination = s.flags & RepoTypes.F_LENDER_AGREED != 0;
        v.borrowerCallOpen = s.flags & RepoTypes.F_BORROWER_CALL != 0;
        v.lenderCallOpen = s.flags & RepoTypes.F_LENDER_CALL != 0;
        v.cashMargins = s.cashMargins;
        v.lastRevaluedDate = s.lastRevaluedDate;
        v.ltv = s.ltv;
        v.quantity = s.quantity;
    }

    /// @inheritdoc IRepoBook
    function obligation(uint256 dealId, RepoSide side) external view returns (Obligation memory) {
        _deal(dealId);
        return _s().obligations[dealId][side];
    }

    /// @inheritdoc IRepoBook
    function cashMargins(uint256 dealId) external view returns (RepoMath.CashMargin[] memory list) {
        RepoTypes.Deal storage d = _deal(dealId);
        return RepoTypes.loadMargins(dealId, d.state.cashMargins);
    }

    /// @inheritdoc IRepoBook
    function statusesOf(uint256[] calldata dealIds) external view returns (RepoStatus[] memory list) {
        RepoTypes.RepoStorage storage $ = _s();
        list = new RepoStatus[](dealIds.length);
        for (uint256 i = 0; i < dealIds.length; ++i) list[i] = $.deals[dealIds[i]].state.status;
    }

    /// @inheritdoc IRepoBook
    function termsHash(uint256 dealId) external view returns (bytes32) {
        return _deal(dealId).termsHash;
    }

    /// @inheritdoc IRepoBook
    function dealCount() external view returns (uint256) {
        return _s().dealCount;
    }

    /// @notice EIP-712 struct hash of terms (for signers and tools).
    /// @param t Terms.
    /// @return The hash that {SIGNATURE_TYPEHASH} embeds.
    function hashTerms(Terms calldata t) external pure returns (bytes32) {
        return RepoOperations.hashTerms(t);
    }

    /// @notice The EIP-712 digest a signer signs for a deal at a nonce and deadline.
    /// @param dealId Deal id.
    /// @param nonce Signer's nonce ({nonces}).
    /// @param deadline Last valid timestamp.
    /// @return The digest.
    function signatureDigest(uint256 dealId, uint256 nonce, uint256 deadline) external view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(SIGNATURE_TYPEHASH, dealId, _deal(dealId).termsHash, nonce, deadline))
            );
    }

    /* CHECKS */

    /// @dev Checks one party signature over the deal's terms and records it in `s` (written by the caller).
    function _recordSignature(
        uint256 dealId,
        RepoTypes.Deal storage d,
        RepoTypes.State memory s,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) private {
        if (block.timestamp > deadline) revert RepoSignatureExpired(deadline, block.timestamp);
        (uint32 participantId, , ParticipantStatus pStatus) = _s().registry.signerOf(signer);
        uint8 flag;
        if (participantId == d.borrower) flag = RepoTypes.F_BORROWER_SIGNED;
        else if (participantId == d.lender) flag = RepoTypes.F_LENDER_SIGNED;
        // Every stored deal has non-zero party ids ({RepoOperations} refuses zero ones), so a set flag implies a
        // non-zero participant id.
        if (flag == 0 || pStatus != ParticipantStatus.Active) revert RepoSignerNotParty(dealId, signer);
        if (s.flags & flag != 0) revert RepoAlreadySigned(dealId, participantId);
        uint256 nonce = _useNonce(signer);
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(SIGNATURE_TYPEHASH, dealId, d.termsHash, nonce, deadline))
        );
        if (!SignatureChecker.isValidSignatureNow(signer, digest, signature)) revert RepoSignatureInvalid(signer);
        s.flags |= flag;
        uint8 both = RepoTypes.F_BORROWER_SIGNED | RepoTypes.F_LENDER_SIGNED;
        if (s.flags & both == both) s.status = RepoStatus.Signed;
        emit RepoSigned(dealId, participantId, signer, nonce);
    }

    function _checkPartyOrAgent(uint256 dealId, RepoTypes.Deal storage d) private view {
        address caller = _msgSender();
        if (hasRole(AGENT_ROLE, caller)) return;
        IParticipantRegistry registry = _s().registry;
        if (registry.isAuthorisedSigner(d.borrower, caller) || registry.isAuthorisedSigner(d.lender, caller)) return;
        revert RepoNotAuthorised(dealId, caller);
    }

    function _activeState(uint256 dealId, RepoTypes.Deal storage d) private view returns (RepoTypes.State memory s) {
        s = d.state;
        if (s.status != RepoStatus.Active) revert RepoWrongStatus(dealId, s.status);
    }

    /// @dev Opening leg: through tokens (securities delivered to the lender under the deal's encumbrance and cash
    /// to the borrower, in this transaction, so both legs happen or neither) or confirmed as settled off chain.
    /// Kept in the book, not in {RepoOperations}, to spare the library call on the busiest settlement path.
    function _open(uint256 dealId, bool onChain, bytes32 settlementRef) private {
        RepoTypes.RepoStorage storage $ = _s();
        RepoTypes.Deal storage d = $.deals[dealId];
        RepoTypes.State memory s = d.state;
        if (s.status != RepoStatus.Accepted) {
            if (s.status == RepoStatus.None) revert RepoUnknownDeal(dealId);
            revert RepoWrongStatus(dealId, s.status);
        }
        s.status = RepoStatus.Active;
        s.quantity = d.quantity;
        if (onChain) s.flags |= RepoTypes.F_ON_CHAIN;
        d.state = s;
        address security = d.security;
        uint256 price = d.purchasePrice;
        emit RepoOpened(dealId, security, onChain, s.quantity, price, settlementRef);
        if (onChain) {
            (address borrowerAccount, address lenderAccount) = (d.borrowerAccount, d.lenderAccount);
            IEncumberableToken(security).deliverEncumbered(borrowerAccount, lenderAccount, dealId, s.quantity);
            IEncumberableToken($.cash[d.currency].token).settlementTransfer(lenderAccount, borrowerAccount, price);
        }
    }

    function _deal(uint256 dealId) private view returns (RepoTypes.Deal storage d) {
        d = _s().deals[dealId];
        if (d.state.status == RepoStatus.None) revert RepoUnknownDeal(dealId);
    }
}
