// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

/// @title AccountDeployer
/// @notice Makes the deployment call of an ERC-6492 signature for {SubscriptionFactory}: the call that deploys a
///         payer's smart-contract account before its signature can be checked. It runs here, not in the factory,
///         because its target and calldata come from whoever submits the signature, and subscriptions trust calls
///         from the factory (only the factory may start one): made by the factory, such a call could restart a
///         live subscription. This contract has no owner, no state and holds nothing, so a call from it is a call
///         from nobody in particular; anyone may use it.
contract AccountDeployer {
    /// @notice Calls `target` with `data`, ignoring the outcome and whatever it returns: a failed deployment (the
    ///         account exists already, or the data is wrong) shows later as a signature that does not verify.
    function deploy(address target, bytes calldata data) external {
        // a low-level call whose return data is never copied: a target cannot make this call costly by answering
        // with a large return value.
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, data.offset, data.length)
            pop(call(gas(), target, 0, p, data.length, 0x00, 0x00))
        }
    }
}
