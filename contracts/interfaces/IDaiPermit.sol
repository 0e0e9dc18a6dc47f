// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

/// @title IDaiPermit
/// @notice The permit of MakerDAO's DAI, older than EIP-2612 and different from it: it takes the nonce as an
///         argument, and grants either an unlimited allowance or none.
interface IDaiPermit {
    /// @notice Sets `spender`'s allowance of `holder`'s tokens to the maximum (`allowed`) or to zero (not
    ///         `allowed`), given `holder`'s ECDSA signature (v, r, s) over the EIP-712 struct
    ///         `Permit(address holder,address spender,uint256 nonce,uint256 expiry,bool allowed)`. `nonce` must be
    ///         the holder's current nonce; `expiry` is unix seconds, inclusive, and zero means no expiry.
    function permit(
        address holder,
        address spender,
        uint256 nonce,
        uint256 expiry,
        bool allowed,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;
}
