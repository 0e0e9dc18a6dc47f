// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

/// @title ProxyToken
/// @notice Test token shaped like USDC on chain: an upgradeable proxy (USDC's `FiatTokenProxy`) whose every call
///         reads the implementation's address from storage and DELEGATECALLs it. Deployed in front of
///         {PermitToken} or {BlacklistPausableToken} it costs what the proxy adds to each transfer: one more
///         account to reach and one more storage slot to read. The implementation's constructor wrote its own
///         storage, not the proxy's: through the proxy, `name` and `symbol` read empty; balances, allowances and
///         permits work (the test tokens' `mint` is open).
contract ProxyToken is ERC1967Proxy {
    /// @param implementation The token contract every call is delegated to.
    constructor(address implementation) ERC1967Proxy(implementation, "") {}

    /// @dev The test tokens have no initializer: balances and allowances start empty in the proxy's storage.
    function _unsafeAllowUninitialized() internal pure override returns (bool) {
        return true;
    }
}
