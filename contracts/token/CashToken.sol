// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {CompliantToken} from "./CompliantToken.sol";
import {ICashToken} from "../interfaces/ISecurityToken.sol";
import {CurrencyLib} from "../libraries/CurrencyLib.sol";

/**
 * @title CashToken
 * @notice Tokenized deposit / settlement cash in one ISO 4217 currency (SPEC §3), with the same
 * compliance base and encumbrance API as securities (the repo books cash legs and cash margin with it).
 * @dev Deployed by `TokenFactory` as a beacon proxy of the cash-token beacon, one per currency.
 */
contract CashToken is CompliantToken, ICashToken {
    /// @custom:storage-location erc7201:csd.storage.CashToken
    struct CashStorage {
        bytes3 currency;
    }

    // keccak256(abi.encode(uint256(keccak256("csd.storage.CashToken")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant CASH_STORAGE_SLOT = 0x88ee49179d1d84c7985f4fa77b35cacbd645431040761ffaba3dd9538265a800;

    /// @notice Thrown when a currency is not three upper-case letters.
    error CashInvalidCurrency(bytes3 currency);

    function _cash() private pure returns (CashStorage storage $) {
        assembly {
            $.slot := CASH_STORAGE_SLOT
        }
    }

    /// @notice Initialises the proxy.
    /// @dev Called once by the factory through the beacon proxy constructor.
    /// @param admin Consortium admin (DEFAULT_ADMIN_ROLE; the calling factory gets it as well).
    /// @param registry_ Participant registry compliance reads.
    /// @param name_ ERC-20 name.
    /// @param symbol_ ERC-20 symbol.
    /// @param decimals_ Decimals of the token's units (e.g. 2 for kopecks, 18 for wholesale cash).
    /// @param currency_ ISO 4217 code, three upper-case ASCII letters.
    function initialize(
        address admin,
        address registry_,
        string calldata name_,
        string calldata symbol_,
        uint8 decimals_,
        bytes3 currency_
    ) external initializer {
        if (!CurrencyLib.isValid(currency_)) revert CashInvalidCurrency(currency_);
        __CompliantToken_init(admin, registry_, name_, symbol_, decimals_);
        _cash().currency = currency_;
    }

    /// @inheritdoc ICashToken
    function currency() external view returns (bytes3) {
        return _cash().currency;
    }

    /// @notice Version of this implementation.
    function version() external pure returns (string memory) {
        return "1.0.0";
    }
}
