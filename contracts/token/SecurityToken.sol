// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {CompliantToken} from "./CompliantToken.sol";
import {ISecurityToken, InstrumentKind} from "../interfaces/ISecurityToken.sol";
import {IsinLib} from "../libraries/IsinLib.sol";
import {CurrencyLib} from "../libraries/CurrencyLib.sol";

/**
 * @title SecurityToken
 * @notice One security held at the depository (SPEC §3): an ERC-20 with the compliance base and its
 * instrument data (ISIN, kind, currency and, for bonds, face value, coupon rate and frequency, issue and
 * maturity dates, day-count convention) fixed at issue.
 * @dev Deployed by `TokenFactory` as a beacon proxy of the security-token beacon.
 */
contract SecurityToken is CompliantToken, ISecurityToken {
    /// @notice Highest coupon rate accepted at issue: 100% per year (WAD).
    uint256 public constant MAX_COUPON_RATE = 1e18;

    /// @custom:storage-location erc7201:csd.storage.SecurityToken
    struct SecurityStorage {
        Instrument instrument;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.SecurityToken")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant SECURITY_STORAGE_SLOT = 0x2e2380f6d2cb48ec61d0a7dcad60a8ec712728f22d6c4a9b67d0c0e91dcf4800;

    function _sec() private pure returns (SecurityStorage storage $) {
        assembly {
            $.slot := SECURITY_STORAGE_SLOT
        }
    }

    /// @notice Initialises the proxy with the instrument data.
    /// @dev Called once by the factory through the beacon proxy constructor. Validates the ISIN check
    /// digit, the currency and the bond terms (see {ISecurityToken-Instrument}).
    /// @param admin Consortium admin (DEFAULT_ADMIN_ROLE; the calling factory gets it as well).
    /// @param registry_ Participant registry compliance reads.
    /// @param name_ ERC-20 name.
    /// @param symbol_ ERC-20 symbol.
    /// @param decimals_ Decimals of the token's units (0 for shares and for bonds counted in pieces).
    /// @param inst Instrument data.
    function initialize(
        address admin,
        address registry_,
        string calldata name_,
        string calldata symbol_,
        uint8 decimals_,
        Instrument calldata inst
    ) external initializer {
        __CompliantToken_init(admin, registry_, name_, symbol_, decimals_);
        validateInstrument(inst);
        _sec().instrument = inst;
    }

    /// @inheritdoc ISecurityToken
    function instrument() external view returns (Instrument memory) {
        return _sec().instrument;
    }

    /// @inheritdoc ISecurityToken
    function isin() external view returns (bytes12) {
        return _sec().instrument.isin;
    }

    /// @inheritdoc ISecurityToken
    function kind() external view returns (InstrumentKind) {
        return _sec().instrument.kind;
    }

    /// @inheritdoc ISecurityToken
    function currency() external view returns (bytes3) {
        return _sec().instrument.currency;
    }

    /// @notice Version of this implementation.
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    /// @notice Reverts with the first problem of an instrument's data, if any.
    /// @dev Equities carry no bond terms. Bonds need a face value, a coupon rate of at most 100%, a
    /// frequency of 1, 2, 4 or 12 (or 0 with a zero rate: a zero-coupon bond), and issue < maturity.
    function validateInstrument(Instrument calldata inst) public pure {
        if (!IsinLib.isValid(inst.isin)) revert SecurityInvalidIsin(inst.isin);
        if (!CurrencyLib.isValid(inst.currency)) revert SecurityInvalidCurrency(inst.currency);
        if (inst.kind == InstrumentKind.Equity) {
            if (
                inst.faceValue != 0 ||
                inst.couponRate != 0 ||
                inst.couponFrequency != 0 ||
                inst.issueDate != 0 ||
                inst.maturityDate != 0 ||
                uint8(inst.dayCount) != 0
            ) revert SecurityInvalidTerms("equity with bond terms");
        } else if (inst.kind == InstrumentKind.Bond) {
            if (inst.faceValue == 0) revert SecurityInvalidTerms("faceValue");
            if (inst.couponRate > MAX_COUPON_RATE) revert SecurityInvalidTerms("couponRate");
            uint8 f = inst.couponFrequency;
            if (f == 0 ? inst.couponRate != 0 : (f != 1 && f != 2 && f != 4 && f != 12)) {
                revert SecurityInvalidTerms("couponFrequency");
            }
            if (inst.maturityDate <= inst.issueDate) revert SecurityInvalidTerms("maturityDate");
        } else {
            revert SecurityInvalidKind(uint8(inst.kind));
        }
    }
}
