// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

/// @title IERC20SignaturePermit
/// @notice The EIP-2612 permit that takes its signature as bytes, as Circle's USDC (`FiatTokenV2_2`) has it beside
///         the `(v, r, s)` form: the same EIP-712 `Permit` struct and nonces, checked by ECDSA for an EOA owner and
///         by ERC-1271 `isValidSignature` for a contract owner, so a smart-contract account can permit too.
interface IERC20SignaturePermit {
    /// @notice Sets `spender`'s allowance of `owner`'s tokens to `value` (token base units), given `owner`'s
    ///         `signature` over the EIP-2612 `Permit` struct with the owner's current nonce, until `deadline`
    ///         (unix seconds, inclusive). Reverts when the signature is invalid or the deadline has passed.
    function permit(address owner, address spender, uint256 value, uint256 deadline, bytes calldata signature) external;
}
