// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ConsortiumUpgradeable} from "../access/ConsortiumUpgradeable.sol";
import {IDvPSettlement, TradeStatus} from "../interfaces/IDvPSettlement.sol";
import {IEncumberableToken} from "../interfaces/IEncumberableToken.sol";
import {IParticipantRegistry} from "../interfaces/IParticipantRegistry.sol";
import {ITokenFactory, TokenType} from "../interfaces/ITokenFactory.sol";
import {DateLib} from "../libraries/DateLib.sol";

/**
 * @title DvPSettlement
 * @notice Delivery versus payment for OTC trades between two participants (SPEC §3).
 * @dev Holds SETTLEMENT_ROLE on every token (a standing role of the token factory): it moves free
 * balances only for a trade both sides agreed on, either by instructing it themselves or by an EIP-712
 * signature of an authorised signer. Each leg goes through the token's full compliance hook, so a
 * paused token, a frozen or inactive side or encumbered units make the whole settlement revert.
 * Roles: `OPERATOR_ROLE` (the depository) may cancel any unsettled trade; `DEFAULT_ADMIN_ROLE` upgrades.
 */
contract DvPSettlement is ConsortiumUpgradeable, EIP712Upgradeable, NoncesUpgradeable, IDvPSettlement {
    /// @notice Role of the depository staff who may cancel any unsettled trade.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    /// @inheritdoc IDvPSettlement
    uint256 public constant SETTLEMENT_WINDOW_DAYS = 5;

    /// @notice EIP-712 type of the trade terms.
    bytes32 public constant TRADE_TYPEHASH = keccak256(
        "Trade(address security,uint256 quantity,address cash,uint256 amount,address seller,address buyer,"
        "uint32 settlementDate,bytes32 tradeRef)"
    );
    /// @notice EIP-712 type a counterparty's signer signs.
    bytes32 public constant INSTRUCTION_TYPEHASH = keccak256(
        "Instruction(Trade trade,uint256 nonce,uint256 deadline)"
        "Trade(address security,uint256 quantity,address cash,uint256 amount,address seller,address buyer,"
        "uint32 settlementDate,bytes32 tradeRef)"
    );

    /// @custom:storage-location erc7201:csd.storage.DvPSettlement
    struct DvPStorage {
        IParticipantRegistry registry;
        ITokenFactory factory;
        mapping(bytes32 tradeId => TradeState) trades;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.DvPSettlement")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x0a4c9f0223da27faa7ff0d12e266a966714acb1961ab4d508a00f18907bf1a00;

    function _s() private pure returns (DvPStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    /// @notice Initialises the proxy.
    /// @param admin Consortium admin; also receives OPERATOR_ROLE.
    /// @param registry_ Participant registry (who acts for whom).
    /// @param factory_ Token factory (which tokens are genuine).
    function initialize(address admin, address registry_, address factory_) external initializer {
        if (registry_ == address(0)) revert ConsortiumZeroAddress("registry");
        if (factory_ == address(0)) revert ConsortiumZeroAddress("factory");
        __Consortium_init(admin);
        __EIP712_init("csd-ledger DvPSettlement", "1");
        __Nonces_init();
        _grantRole(OPERATOR_ROLE, admin);
        DvPStorage storage $ = _s();
        $.registry = IParticipantRegistry(registry_);
        $.factory = ITokenFactory(factory_);
    }

    /* PARTY FUNCTIONS */

    /// @inheritdoc IDvPSettlement
    function instruct(Trade calldata trade) external returns (bytes32 id) {
        id = _checkNew(trade);
        bool sellerSide = _actsFor(_msgSender(), trade.seller);
        if (!sellerSide && !_actsFor(_msgSender(), trade.buyer)) revert DvPNotAuthorised(_msgSender(), trade.seller);
        TradeState storage st = _s().trades[id];
        _record(st, id, trade, sellerSide, _msgSender());
        _matchIfBoth(st, id, trade);
    }

    /// @inheritdoc IDvPSettlement
    function instructWithSignature(
        Trade calldata trade,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 id) {
        id = _checkNew(trade);
        bool sellerSide = _actsFor(_msgSender(), trade.seller);
        if (!sellerSide && !_actsFor(_msgSender(), trade.buyer)) revert DvPNotAuthorised(_msgSender(), trade.seller);
        address counterparty = sellerSide ? trade.buyer : trade.seller;
        if (block.timestamp > deadline) revert DvPSignatureExpired(deadline, block.timestamp);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(INSTRUCTION_TYPEHASH, id, _useNonce(signer), deadline)));
        if (!_actsFor(signer, counterparty) || !SignatureChecker.isValidSignatureNow(signer, digest, signature)) {
            revert DvPInvalidSignature(signer, counterparty);
        }
        TradeState storage st = _s().trades[id];
        _record(st, id, trade, sellerSide, _msgSender());
        _record(st, id, trade, !sellerSide, signer);
        _matchIfBoth(st, id, trade);
    }

    /// @inheritdoc IDvPSettlement
    function settle(Trade calldata trade) external {
        bytes32 id = tradeId(trade);
        TradeState storage st = _s().trades[id];
        if (st.status != TradeStatus.Matched) revert DvPWrongStatus(id, st.status);
        uint256 today = DateLib.dayOf(block.timestamp);
        if (today < trade.settlementDate) revert DvPNotYetDue(id, trade.settlementDate, today);
        _settle(st, id, trade, today);
    }

    /// @inheritdoc IDvPSettlement
    function cancel(Trade calldata trade) external {
        bytes32 id = tradeId(trade);
        TradeState storage st = _s().trades[id];
        TradeStatus status = st.status;
        if (status != TradeStatus.Instructed && status != TradeStatus.Matched) revert DvPWrongStatus(id, status);
        address caller = _msgSender();
        uint256 lastDay = uint256(trade.settlementDate) + SETTLEMENT_WINDOW_DAYS;
        bool expired = DateLib.dayOf(block.timestamp) > lastDay;
        if (!hasRole(OPERATOR_ROLE, caller)) {
            if (!_actsFor(caller, trade.seller) && !_actsFor(caller, trade.buyer)) {
                revert DvPNotAuthorised(caller, trade.seller);
            }
            if (status == TradeStatus.Matched && !expired) revert DvPMatchedNotExpired(id, lastDay);
        }
        st.status = TradeStatus.Cancelled;
        emit TradeCancelled(id, caller, expired);
    }

    /* VIEWS */

    /// @inheritdoc IDvPSettlement
    function tradeId(Trade calldata trade) public pure returns (bytes32) {
        return keccak256(abi.encode(TRADE_TYPEHASH, trade));
    }

    /// @inheritdoc IDvPSettlement
    function tradeState(bytes32 id) external view returns (TradeState memory) {
        return _s().trades[id];
    }

    /// @notice The EIP-712 domain separator signatures are made under.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The registry and the token factory this engine reads.
    function wiring() external view returns (address registry, address factory) {
        DvPStorage storage $ = _s();
        return (address($.registry), address($.factory));
    }

    /// @notice Version of this implementation.
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    /* INTERNAL */

    /// @dev Validates the terms and that the window has not passed; returns the trade id.
    function _checkNew(Trade calldata trade) private view returns (bytes32 id) {
        if (trade.quantity == 0) revert DvPInvalidTrade("quantity");
        if (trade.amount == 0) revert DvPInvalidTrade("amount");
        if (trade.seller == address(0)) revert DvPInvalidTrade("seller");
        if (trade.buyer == address(0)) revert DvPInvalidTrade("buyer");
        if (trade.seller == trade.buyer) revert DvPInvalidTrade("buyer");
        ITokenFactory factory = _s().factory;
        if (factory.tokenType(trade.security) != TokenType.Security) revert DvPUnknownToken(trade.security);
        if (factory.tokenType(trade.cash) != TokenType.Cash) revert DvPUnknownToken(trade.cash);
        id = tradeId(trade);
        uint256 lastDay = uint256(trade.settlementDate) + SETTLEMENT_WINDOW_DAYS;
        uint256 today = DateLib.dayOf(block.timestamp);
        if (today > lastDay) revert DvPExpired(id, lastDay, today);
    }

    function _record(TradeState storage st, bytes32 id, Trade calldata trade, bool sellerSide, address by) private {
        TradeStatus status = st.status;
        if (status != TradeStatus.None && status != TradeStatus.Instructed) revert DvPWrongStatus(id, status);
        if (sellerSide ? st.sellerInstructed : st.buyerInstructed) {
            revert DvPAlreadyInstructed(id, sellerSide ? trade.seller : trade.buyer);
        }
        if (sellerSide) st.sellerInstructed = true;
        else st.buyerInstructed = true;
        st.status = TradeStatus.Instructed;
        emit TradeInstructed(id, sellerSide ? trade.seller : trade.buyer, by, trade);
    }

    function _matchIfBoth(TradeState storage st, bytes32 id, Trade calldata trade) private {
        if (!(st.sellerInstructed && st.buyerInstructed)) return;
        st.status = TradeStatus.Matched;
        emit TradeMatched(id);
        uint256 today = DateLib.dayOf(block.timestamp);
        if (today >= trade.settlementDate) _settle(st, id, trade, today);
    }

    function _settle(TradeState storage st, bytes32 id, Trade calldata trade, uint256 today) private {
        uint256 lastDay = uint256(trade.settlementDate) + SETTLEMENT_WINDOW_DAYS;
        if (today > lastDay) revert DvPExpired(id, lastDay, today);
        st.status = TradeStatus.Settled;
        // Both tokens were checked to be factory-issued when the trade was instructed; either leg's
        // refusal reverts the whole transaction, so both legs move or neither does.
        IEncumberableToken(trade.security).settlementTransfer(trade.seller, trade.buyer, trade.quantity);
        IEncumberableToken(trade.cash).settlementTransfer(trade.buyer, trade.seller, trade.amount);
        emit TradeSettled(id, trade.seller, trade.buyer, trade.quantity, trade.amount);
    }

    /// @dev True when `caller` is `party` itself (and active), or an active signer of `party`'s participant.
    function _actsFor(address caller, address party) private view returns (bool) {
        IParticipantRegistry reg = _s().registry;
        (uint32 pid, , ) = reg.signerOf(party);
        return pid != 0 && reg.isAuthorisedSigner(pid, caller);
    }
}
