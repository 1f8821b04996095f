// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/**
 * @title ConsortiumUpgradeable
 * @notice Base of every csd-ledger singleton: role-based access and UUPS upgrades.
 * @dev The consortium admin is `DEFAULT_ADMIN_ROLE`. It grants and revokes every other role and is the
 * only role that may upgrade the implementation. It may be held by a `TimelockController` or a
 * multisig wallet instead of a single key: nothing here assumes the admin is an externally owned
 * account. Implementations lock their own initializers in the constructor so that only proxies can
 * be initialised.
 */
abstract contract ConsortiumUpgradeable is Initializable, AccessControlUpgradeable, UUPSUpgradeable {
    /// @notice Thrown when a zero address is given where an account or contract is required.
    /// @param field Name of the parameter that was zero.
    error ConsortiumZeroAddress(string field);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    // solhint-disable-next-line func-name-mixedcase
    function __Consortium_init(address admin) internal onlyInitializing {
        if (admin == address(0)) revert ConsortiumZeroAddress("admin");
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /**
     * @notice Version of the storage layout this implementation reads and writes; `suite:upgrade` refuses to put
     * an implementation of another version behind a proxy that holds records.
     * @dev 1 unless a contract says otherwise. The upgrades plugin checks layouts declared in contracts; a book
     * whose namespaced storage struct is declared in a library (the pledge and repo books) raises its version
     * when that struct changes incompatibly. Implementations older than this function read as version 1.
     * @return The layout version.
     */
    function storageLayoutVersion() external pure virtual returns (uint256) {
        return 1;
    }

    /// @dev Only the consortium admin (possibly a timelock or multisig) may upgrade.
    function _authorizeUpgrade(address) internal view override onlyRole(DEFAULT_ADMIN_ROLE) {}
}
