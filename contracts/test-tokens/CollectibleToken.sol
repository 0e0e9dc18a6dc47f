// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title CollectibleToken
/// @notice Test ERC-721 collection. Its `approve(address,uint256)` and `transferFrom(address,address,uint256)` have
///         the same selectors as ERC-20's, so a subscription in it would pull the token whose id is `amount`: the
///         factory refuses it at activation (`NotAnErc20`), which these tests pin down.
contract CollectibleToken is ERC721 {
    constructor() ERC721("Recur Test Collectible", "tNFT") {}

    /// @notice Creates token `tokenId` for `to`. Open to anyone: this token only exists on test chains.
    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }
}
