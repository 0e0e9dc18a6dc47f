// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

/// @notice The fixed terms of one subscription. They never change after the draft is created: they are the
///         immutable arguments of the subscription's clone and therefore part of its address.
struct Terms {
    /// @dev ERC-20 token pulled on every charge.
    address token;
    /// @dev The only account tokens are pulled from.
    address payer;
    /// @dev The only account tokens are sent to (the merchant's payout address).
    address payee;
    /// @dev Merchant-side account allowed to pause and cancel (the merchant's gas wallet); zero for none.
    address operator;
    /// @dev Token base units pulled per period.
    uint128 amount;
    /// @dev Seconds between two charges.
    uint32 period;
    /// @dev Earliest first charge, unix seconds; later than the activation time means a free trial until then. Zero
    ///      (or any time not later than activation) charges the first period at activation, whatever the clocks say.
    uint40 startAt;
    /// @dev Number of charges allowed in total; after the last one the subscription is finished.
    uint16 maxPeriods;
    /// @dev Last moment the subscription can be activated, unix seconds, inclusive.
    uint40 activateBy;
    /// @dev Makes otherwise identical drafts distinct; chosen by whoever creates the draft.
    uint32 salt;
}

/// @title TermsCodec
/// @notice Reads back the 116 bytes of packed terms a subscription clone carries as immutable arguments (the
///         factory packs them with `abi.encodePacked` in field order when it builds the clone).
/// @dev Layout (byte offsets): token 0, payer 20, payee 40, operator 60, amount 80, period 96, startAt 100,
///      maxPeriods 105, activateBy 107, salt 112. Packing keeps the clone small: every byte of runtime code costs
///      200 gas at activation. An EIP-1167 clone's runtime code is 45 bytes of proxy followed by these arguments.
library TermsCodec {
    /// @notice Length in bytes of packed terms.
    uint256 internal constant LENGTH = 116;

    /// @dev Where the arguments start in a clone's runtime code.
    uint256 private constant CLONE_ARGS_OFFSET = 0x2d;

    /// @notice Reads all the terms carried by the calling clone's own code.
    function read() internal view returns (Terms memory terms) {
        // each field is read as the leading bytes of a 32-byte word and shifted down to its width; the copy goes to
        // unallocated memory used as scratch, and the last reads run past it into bytes the shifts discard.
        assembly ("memory-safe") {
            let p := mload(0x40)
            extcodecopy(address(), p, CLONE_ARGS_OFFSET, LENGTH)
            mstore(terms, shr(96, mload(p)))
            mstore(add(terms, 0x20), shr(96, mload(add(p, 20))))
            mstore(add(terms, 0x40), shr(96, mload(add(p, 40))))
            mstore(add(terms, 0x60), shr(96, mload(add(p, 60))))
            mstore(add(terms, 0x80), shr(128, mload(add(p, 80))))
            mstore(add(terms, 0xa0), shr(224, mload(add(p, 96))))
            mstore(add(terms, 0xc0), shr(216, mload(add(p, 100))))
            mstore(add(terms, 0xe0), shr(240, mload(add(p, 105))))
            mstore(add(terms, 0x100), shr(216, mload(add(p, 107))))
            mstore(add(terms, 0x120), shr(224, mload(add(p, 112))))
        }
    }

    /// @notice Reads the terms that charging needs from the calling clone's own code, without allocating memory:
    ///         charging is the hot path every keeper pays for.
    function readForCharge()
        internal
        view
        returns (
            address token,
            address payer,
            address payee,
            uint256 amount,
            uint256 period,
            uint256 startAt,
            uint256 maxPeriods
        )
    {
        // same layout and technique as {read}; only the bytes up to `maxPeriods` are copied.
        assembly ("memory-safe") {
            let p := mload(0x40)
            extcodecopy(address(), p, CLONE_ARGS_OFFSET, 107)
            token := shr(96, mload(p))
            payer := shr(96, mload(add(p, 20)))
            payee := shr(96, mload(add(p, 40)))
            amount := shr(128, mload(add(p, 80)))
            period := shr(224, mload(add(p, 96)))
            startAt := shr(216, mload(add(p, 100)))
            maxPeriods := shr(240, mload(add(p, 105)))
        }
    }
}
