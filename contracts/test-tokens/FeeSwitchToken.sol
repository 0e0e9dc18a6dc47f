// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeSwitchToken
/// @notice Test token whose owner can switch on a transfer fee at any time, as Tether's contract can
///         (`setParams(basisPointsRate, maximumFee)`): it starts as a plain ERC-20, and once the fee is on every
///         transfer between two accounts delivers `value` less `feeBps` basis points, the fee going to the owner.
///         A subscription activated while the fee is off passes its first-charge delivery check; later charges are
///         not measured, so once the fee is on each of them pays the payee short by the fee. 6 decimals.
contract FeeSwitchToken is ERC20 {
    /// @notice The highest fee the owner may set, basis points (10%).
    uint256 public constant MAX_FEE_BPS = 1_000;

    /// @notice The account that may set the fee and that receives it.
    address public immutable OWNER;

    /// @notice Fee kept from every transfer between two accounts, basis points; zero (off) at deployment.
    uint256 public feeBps;

    /// @notice The fee became `feeBps` basis points.
    event FeeChanged(uint256 feeBps);

    /// @notice Only the owner may do this.
    error NotOwner(address caller);

    /// @notice `feeBps` is above {MAX_FEE_BPS}.
    error FeeTooHigh(uint256 feeBps, uint256 maxFeeBps);

    /// @param owner The account that may set the fee and receives it.
    constructor(address owner) ERC20("Recur Test Fee Switch Dollar", "tFSD") {
        OWNER = owner;
    }

    /// @notice Creates `amount` base units for `to`. Open to anyone: this token only exists on test chains.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Sets the fee kept from every later transfer, basis points; zero switches it off. Only the owner.
    function setFee(uint256 newFeeBps) external {
        if (msg.sender != OWNER) revert NotOwner(msg.sender);
        if (newFeeBps > MAX_FEE_BPS) revert FeeTooHigh(newFeeBps, MAX_FEE_BPS);
        feeBps = newFeeBps;
        emit FeeChanged(newFeeBps);
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @dev With the fee on, transfers between two accounts send the fee to the owner and the rest to the recipient.
    function _update(address from, address to, uint256 value) internal override {
        uint256 fee = (value * feeBps) / 10_000;
        if (fee == 0 || from == address(0) || to == address(0)) return super._update(from, to, value);
        super._update(from, OWNER, fee);
        super._update(from, to, value - fee);
    }
}
