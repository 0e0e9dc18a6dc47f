// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {IERC20SignaturePermit} from "../interfaces/IERC20SignaturePermit.sol";

/// @title SignaturePermitToken
/// @notice Test token shaped like Circle's USDC since `FiatTokenV2_2`: 6 decimals, EIP-712 domain version "2", and
///         EIP-2612 permits in two forms, `(v, r, s)` and `bytes signature`. Both check the signature with
///         OpenZeppelin's `SignatureChecker`: ECDSA when the owner is an EOA, ERC-1271 `isValidSignature` when it is a
///         contract, so a smart-contract account can permit (the `(v, r, s)` form hands the contract the 65 bytes
///         `r ‖ s ‖ v`, as USDC does).
contract SignaturePermitToken is ERC20, EIP712, Nonces, IERC20Permit, IERC20SignaturePermit {
    /// @notice EIP-2612's struct, the same as every EIP-2612 token's.
    // solhint-disable-next-line gas-small-strings
    bytes32 public constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );

    /// @notice The permit's `deadline` (unix seconds) has passed.
    error PermitExpired(uint256 deadline, uint256 timestamp);

    /// @notice The signature is not `owner`'s over the permit.
    error InvalidPermitSignature(address owner);

    constructor() ERC20("Recur Test Smart USD", "tSUSD") EIP712("Recur Test Smart USD", "2") {}

    /// @notice Creates `amount` base units for `to`. Open to anyone: this token only exists on test chains.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @inheritdoc IERC20Permit
    function permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _permit(owner, spender, value, deadline, abi.encodePacked(r, s, v));
    }

    /// @inheritdoc IERC20SignaturePermit
    function permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _permit(owner, spender, value, deadline, signature);
    }

    /// @inheritdoc IERC20Permit
    function nonces(address owner) public view override(IERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @inheritdoc IERC20Permit
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @dev Checks `signature` over the permit with the owner's next nonce (using it up) and sets the allowance.
    function _permit(address owner, address spender, uint256 value, uint256 deadline, bytes memory signature) private {
        if (block.timestamp > deadline) revert PermitExpired(deadline, block.timestamp);
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, _useNonce(owner), deadline))
        );
        if (!SignatureChecker.isValidSignatureNow(owner, digest, signature)) revert InvalidPermitSignature(owner);
        _approve(owner, spender, value);
    }
}
