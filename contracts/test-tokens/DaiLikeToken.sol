// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {IDaiPermit} from "../interfaces/IDaiPermit.sol";

/// @title DaiLikeToken
/// @notice Test token shaped like MakerDAO's DAI on Ethereum: 18 decimals and DAI's own permit (see
///         {IDaiPermit}), which grants an unlimited allowance or none, takes the nonce as an argument and treats an
///         expiry of zero as none. An unlimited allowance is never decreased by `transferFrom`, as in DAI. Unlike
///         DAI, it also answers ERC-5267 `eip712Domain()` (it comes with OpenZeppelin's EIP712); the domain is the
///         one DAI uses: name, version "1", chain id and the token's address.
contract DaiLikeToken is ERC20, EIP712, IDaiPermit {
    /// @notice DAI's permit struct.
    // solhint-disable-next-line gas-small-strings
    bytes32 public constant PERMIT_TYPEHASH = keccak256(
        "Permit(address holder,address spender,uint256 nonce,uint256 expiry,bool allowed)"
    );

    /// @notice The next permit nonce of each holder.
    mapping(address holder => uint256 nonce) public nonces;

    /// @notice The permit's `expiry` (unix seconds) has passed.
    error PermitExpired(uint256 expiry, uint256 timestamp);

    /// @notice The permit's `nonce` is not the holder's next nonce, `expected`.
    error InvalidPermitNonce(uint256 nonce, uint256 expected);

    /// @notice The signature is not `holder`'s over the permit (or `holder` is the zero address).
    error InvalidPermitSignature(address holder);

    constructor() ERC20("Recur Test Dai", "tDAI") EIP712("Recur Test Dai", "1") {}

    /// @notice Creates `amount` base units for `to`. Open to anyone: this token only exists on test chains.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @inheritdoc IDaiPermit
    function permit(
        address holder,
        address spender,
        uint256 nonce,
        uint256 expiry,
        bool allowed,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(PERMIT_TYPEHASH, holder, spender, nonce, expiry, allowed))
        );
        (address signer, ECDSA.RecoverError error, ) = ECDSA.tryRecover(digest, v, r, s);
        if (holder == address(0) || error != ECDSA.RecoverError.NoError || signer != holder) {
            revert InvalidPermitSignature(holder);
        }
        if (expiry != 0 && block.timestamp > expiry) revert PermitExpired(expiry, block.timestamp);
        uint256 expected = nonces[holder];
        if (nonce != expected) revert InvalidPermitNonce(nonce, expected);
        ++nonces[holder];
        _approve(holder, spender, allowed ? type(uint256).max : 0);
    }

    /// @notice The EIP-712 domain separator permits are signed under.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }
}
