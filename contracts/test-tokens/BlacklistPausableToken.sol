// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @title BlacklistPausableToken
/// @notice Test token shaped like centrally administered stablecoins: 6 decimals, an issuer that can pause all
///         transfers and blacklist accounts, whose transfers (in or out) then revert.
contract BlacklistPausableToken is ERC20, Pausable {
    /// @notice The account allowed to pause and blacklist.
    address public immutable ISSUER;

    /// @notice Accounts that can neither send nor receive.
    mapping(address account => bool blocked) public isBlacklisted;

    /// @notice `account` can no longer send or receive.
    event Blacklisted(address indexed account);

    /// @notice `account` can send and receive again.
    event UnBlacklisted(address indexed account);

    /// @notice Only the issuer may do this.
    error NotIssuer(address caller);

    /// @notice `account` is blacklisted.
    error AccountBlacklisted(address account);

    /// @param issuer The account allowed to pause and blacklist.
    constructor(address issuer) ERC20("Recur Test Regulated Dollar", "tRUSD") {
        ISSUER = issuer;
    }

    modifier onlyIssuer() {
        if (msg.sender != ISSUER) revert NotIssuer(msg.sender);
        _;
    }

    /// @notice Creates `amount` base units for `to`. Open to anyone: this token only exists on test chains.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Stops every transfer.
    function pause() external onlyIssuer {
        _pause();
    }

    /// @notice Allows transfers again.
    function unpause() external onlyIssuer {
        _unpause();
    }

    /// @notice Blocks `account` from sending and receiving.
    function blacklist(address account) external onlyIssuer {
        isBlacklisted[account] = true;
        emit Blacklisted(account);
    }

    /// @notice Lets `account` send and receive again.
    function unBlacklist(address account) external onlyIssuer {
        isBlacklisted[account] = false;
        emit UnBlacklisted(account);
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @dev Every balance change passes here: enforce the pause and the blacklist.
    function _update(address from, address to, uint256 value) internal override whenNotPaused {
        if (isBlacklisted[from]) revert AccountBlacklisted(from);
        if (isBlacklisted[to]) revert AccountBlacklisted(to);
        super._update(from, to, value);
    }
}
