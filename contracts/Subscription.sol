// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {Terms, TermsCodec} from "./Terms.sol";

/// @title Subscription
/// @notice One payer's standing consent to pay one payee `amount` of one token once per `period`, at most
///         `maxPeriods` times. Every subscription is an EIP-1167 clone of this contract deployed by
///         {SubscriptionFactory}; its terms are the clone's immutable arguments, so nothing can change what it pulls,
///         from whom, to whom, or how often.
/// @dev The payer authorises a subscription by approving its address (known before deployment) for the token.
///      Tokens only ever move payer -> payee, exactly `amount`, at most once per period, never before the period is
///      due, never while paused, never after cancellation or after `maxPeriods` charges.
///
///      Schedule: the first charge is due at `max(startAt, activation time)`; every later due time is that anchor
///      plus a whole number of periods. A late charge covers the period it falls in and the next one is due at the
///      next boundary: missed periods are never collected. Unpausing moves the schedule later by the paused time.
///
///      Events emitted by a subscription are filterable by the log's address (the subscription), and all but the
///      per-period `SubscriptionCharged` by payer and payee too.
contract Subscription {
    using SafeERC20 for IERC20;

    /// @notice Lifecycle of a subscription.
    enum Status {
        /// @dev Not activated: only the implementation contract itself is ever in this state.
        None,
        /// @dev Charged whenever a period is due.
        Active,
        /// @dev Not chargeable until unpaused.
        Paused,
        /// @dev Ended by the payer, payee or operator; final.
        Cancelled,
        /// @dev Charged `maxPeriods` times; final.
        Finished
    }

    /// @notice Why a charge would or would not succeed now, as reported by {chargeable}.
    enum ChargeReason {
        Ok,
        NotDue,
        Paused,
        Cancelled,
        Finished,
        AllowanceTooLow,
        BalanceTooLow
    }

    /// @notice Mutable state of a subscription, one storage slot.
    struct State {
        /// @dev Lifecycle status.
        Status status;
        /// @dev Charges made so far, first charge included.
        uint16 periodsCharged;
        /// @dev Earliest time of the next charge, unix seconds; zero once finished.
        uint40 nextDueAt;
        /// @dev When the current pause began, unix seconds; zero when not paused.
        uint40 pausedAt;
        /// @dev Whether the current pause was made by the operator (the payer's own pause only the payer may lift).
        bool pausedByOperator;
    }

    /// @notice The factory that deploys clones of this contract; the only caller allowed to {initialize} one.
    address public immutable FACTORY;

    /// @dev The subscription's {State} packed in one word (see {_loadState}), so that a charge reads and writes one
    ///      storage slot once.
    uint256 private _packedState;

    /// @notice `amount` was pulled from the payer to the payee, by a charge made directly or at activation. Charges
    ///         made through the factory's `chargeMany` are announced by its `SubscriptionsCharged` event instead, one
    ///         log for the whole batch (a log per subscription would cost about 1,000 gas more per charge).
    /// @dev It carries no indexed topics (750 gas a charge): it is filtered by the log's address, the subscription,
    ///      which `SubscriptionActivated` maps to its payer and payee.
    /// @param periodIndex Number of this charge, 1 for the first.
    /// @param nextDueAt Earliest time of the next charge, unix seconds; zero when this was the last charge.
    event SubscriptionCharged(uint256 periodIndex, uint256 nextDueAt);

    /// @notice The subscription was paused.
    /// @param by Account that paused it (the payer or the operator).
    event SubscriptionPaused(address indexed payer, address indexed payee, address by);

    /// @notice The subscription was unpaused and its schedule moved later by the paused time.
    /// @param by Account that unpaused it.
    /// @param nextDueAt Earliest time of the next charge after the shift, unix seconds.
    event SubscriptionUnpaused(address indexed payer, address indexed payee, address by, uint256 nextDueAt);

    /// @notice The subscription was cancelled; it can never be charged again.
    /// @param by Account that cancelled it (the payer, the payee or the operator).
    event SubscriptionCancelled(address indexed payer, address indexed payee, address by);

    /// @notice The last of `maxPeriods` charges was made; the subscription can never be charged again.
    /// @param periodsCharged Total number of charges made.
    event SubscriptionFinished(address indexed payer, address indexed payee, uint256 periodsCharged);

    /// @notice The caller is not the factory.
    error NotFactory(address caller);

    /// @notice The caller may not perform this action.
    error Unauthorized(address caller);

    /// @notice The action needs the subscription to be active, but it is `status`.
    error NotActive(Status status);

    /// @notice The action needs the subscription to be paused, but it is `status`.
    error NotPaused(Status status);

    /// @notice The subscription already ended with `status`.
    error AlreadyEnded(Status status);

    /// @notice The next charge is due at `nextDueAt`, later than `timestamp`.
    error NotDue(uint256 nextDueAt, uint256 timestamp);

    /// @notice The payer's allowance for this subscription, `allowance`, is below `amount`.
    error InsufficientAllowance(uint256 allowance, uint256 amount);

    /// @notice The payer's token balance, `balance`, is below `amount`.
    error InsufficientBalance(uint256 balance, uint256 amount);

    /// @notice The token refused the transfer although allowance and balance suffice (paused or blacklisting token).
    error TransferFailed(address token);

    /// @notice The payee received `received` instead of `expected`: fee-on-transfer tokens are not supported.
    error ShortDelivery(uint256 expected, uint256 received);

    constructor() {
        FACTORY = msg.sender;
    }

    /// @notice Starts a freshly deployed subscription: charges the first period now when `startAt` has passed,
    ///         otherwise (a trial) charges nothing but requires the allowance and balance for one period.
    /// @dev Called by the factory in the transaction that deploys the clone.
    function initialize() external {
        if (msg.sender != FACTORY) revert NotFactory(msg.sender);
        (
            address token,
            address payer,
            address payee,
            uint256 amount,
            uint256 period,
            uint256 startAt,
            uint256 maxPeriods
        ) = TermsCodec.readForCharge();

        if (startAt > block.timestamp) {
            _storeState(Status.Active, 0, uint40(startAt), 0, false);
            _requireFunds(IERC20(token), payer, amount);
            return;
        }

        // the schedule is anchored at the first charge, made now.
        _charge(IERC20(token), payer, payee, amount, period, maxPeriods, 0, uint40(block.timestamp), true);
    }

    /// @notice Pulls `amount` from the payer to the payee for the period due now. Anyone may call it.
    /// @return periodIndex Number of this charge, 1 for the first.
    /// @return nextDueAt Earliest time of the next charge, unix seconds; zero when this was the last charge.
    function charge() external returns (uint256 periodIndex, uint256 nextDueAt) {
        uint256 word = _packedState;
        Status status = Status(uint8(word));
        uint40 dueAt = uint40(word >> 24);
        if (status != Status.Active) revert NotActive(status);
        if (block.timestamp < dueAt) revert NotDue(dueAt, block.timestamp);

        (address token, address payer, address payee, uint256 amount, uint256 period, , uint256 maxPeriods) = TermsCodec
            .readForCharge();
        // the factory's `chargeMany` announces the charges of a batch in one event of its own
        bool announce = msg.sender != FACTORY;
        return _charge(IERC20(token), payer, payee, amount, period, maxPeriods, uint16(word >> 8), dueAt, announce);
    }

    /// @notice Stops charges until {unpause}. Only the payer or the operator may pause.
    function pause() external {
        Terms memory t = TermsCodec.read();
        bool byOperator = msg.sender == t.operator;
        if (msg.sender != t.payer && !byOperator) revert Unauthorized(msg.sender);
        State memory s = _loadState();
        if (s.status != Status.Active) revert NotActive(s.status);

        _storeState(Status.Paused, s.periodsCharged, s.nextDueAt, uint40(block.timestamp), byOperator);
        emit SubscriptionPaused(t.payer, t.payee, msg.sender);
    }

    /// @notice Resumes charges and moves the schedule later by the time spent paused, so the payer keeps the part
    ///         of the period already paid for. The payer may lift any pause; the operator only its own.
    function unpause() external {
        Terms memory t = TermsCodec.read();
        State memory s = _loadState();
        if (s.status != Status.Paused) revert NotPaused(s.status);
        if (msg.sender != t.payer && !(msg.sender == t.operator && s.pausedByOperator)) {
            revert Unauthorized(msg.sender);
        }

        uint40 nextDueAt = s.nextDueAt + (uint40(block.timestamp) - s.pausedAt);
        _storeState(Status.Active, s.periodsCharged, nextDueAt, 0, false);
        emit SubscriptionUnpaused(t.payer, t.payee, msg.sender, nextDueAt);
    }

    /// @notice Ends the subscription for good. The payer, the payee or the operator may cancel.
    function cancel() external {
        Terms memory t = TermsCodec.read();
        if (msg.sender != t.payer && msg.sender != t.payee && msg.sender != t.operator) {
            revert Unauthorized(msg.sender);
        }
        State memory s = _loadState();
        if (s.status == Status.Cancelled || s.status == Status.Finished) revert AlreadyEnded(s.status);

        _storeState(Status.Cancelled, s.periodsCharged, s.nextDueAt, 0, false);
        emit SubscriptionCancelled(t.payer, t.payee, msg.sender);
    }

    /// @notice The subscription's fixed terms.
    function terms() external view returns (Terms memory) {
        return TermsCodec.read();
    }

    /// @notice The subscription's current state.
    function state() external view returns (State memory) {
        return _loadState();
    }

    /// @notice Whether {charge} would succeed now, and if not, why. A token that refuses transfers for its own
    ///         reasons (paused, blacklisted accounts) still reports `Ok`.
    function chargeable() external view returns (ChargeReason) {
        State memory s = _loadState();
        if (s.status == Status.None) revert NotActive(s.status);
        if (s.status == Status.Paused) return ChargeReason.Paused;
        if (s.status == Status.Cancelled) return ChargeReason.Cancelled;
        if (s.status == Status.Finished) return ChargeReason.Finished;
        if (block.timestamp < s.nextDueAt) return ChargeReason.NotDue;

        Terms memory t = TermsCodec.read();
        IERC20 token = IERC20(t.token);
        if (token.allowance(t.payer, address(this)) < t.amount) return ChargeReason.AllowanceTooLow;
        if (token.balanceOf(t.payer) < t.amount) return ChargeReason.BalanceTooLow;
        return ChargeReason.Ok;
    }

    /// @notice How many more charges the payer's current allowance and balance cover, capped by the charges left.
    ///         Zero once cancelled or finished.
    function periodsCovered() external view returns (uint256) {
        State memory s = _loadState();
        if (s.status != Status.Active && s.status != Status.Paused) return 0;

        Terms memory t = TermsCodec.read();
        IERC20 token = IERC20(t.token);
        uint256 left = t.maxPeriods - s.periodsCharged;
        uint256 byAllowance = token.allowance(t.payer, address(this)) / t.amount;
        uint256 byBalance = token.balanceOf(t.payer) / t.amount;
        if (byAllowance < left) left = byAllowance;
        if (byBalance < left) left = byBalance;
        return left;
    }

    /// @dev Records the charge and pulls the tokens: state first, then the transfer, then the events.
    /// @param charged Charges made before this one, fewer than `maxPeriods`.
    /// @param dueAt The due time this charge settles, not later than now; it anchors the next one.
    /// @param announce Whether to emit {SubscriptionCharged} (not when the factory's batch event reports it).
    function _charge(
        IERC20 token,
        address payer,
        address payee,
        uint256 amount,
        uint256 period,
        uint256 maxPeriods,
        uint16 charged,
        uint40 dueAt,
        bool announce
    ) private returns (uint256 periodIndex, uint256 nextDueAt) {
        uint16 index;
        uint40 next;
        // cannot overflow: `charged` < `maxPeriods` <= type(uint16).max; `period` > 0 (checked at activation) and
        // the next boundary lies at most one period (< 2^32 s) after now, far below type(uint40).max.
        unchecked {
            index = charged + 1;
        }
        bool finished = index == maxPeriods;
        if (!finished) {
            unchecked {
                // the next due time is the first schedule boundary after now: a late charge covers the period it
                // falls in, never the ones missed before it.
                next = uint40(dueAt + period * ((block.timestamp - dueAt) / period + 1));
            }
        }
        _storeState(finished ? Status.Finished : Status.Active, index, next, 0, false);

        // the first transfer is measured so fee-on-transfer tokens are refused before any period is short-paid.
        if (charged == 0) {
            uint256 before = token.balanceOf(payee);
            _pull(token, payer, payee, amount);
            uint256 received = token.balanceOf(payee) - before;
            if (received != amount) revert ShortDelivery(amount, received);
        } else {
            _pull(token, payer, payee, amount);
        }

        if (announce) emit SubscriptionCharged(index, next);
        if (finished) emit SubscriptionFinished(payer, payee, index);
        return (index, next);
    }

    /// @dev Moves `amount` from `payer` to `payee`, reverting with the reason when the token refuses.
    function _pull(IERC20 token, address payer, address payee, uint256 amount) private {
        if (!token.trySafeTransferFrom(payer, payee, amount)) {
            _requireFunds(token, payer, amount);
            revert TransferFailed(address(token));
        }
    }

    /// @dev Reverts unless the payer's allowance and balance cover `amount`.
    function _requireFunds(IERC20 token, address payer, uint256 amount) private view {
        uint256 allowance = token.allowance(payer, address(this));
        if (allowance < amount) revert InsufficientAllowance(allowance, amount);
        uint256 balance = token.balanceOf(payer);
        if (balance < amount) revert InsufficientBalance(balance, amount);
    }

    /// @dev Unpacks {_packedState}: status in bits 0-7, periodsCharged 8-23, nextDueAt 24-63, pausedAt 64-103,
    ///      pausedByOperator bit 104.
    function _loadState() private view returns (State memory s) {
        uint256 word = _packedState;
        s.status = Status(uint8(word));
        s.periodsCharged = uint16(word >> 8);
        s.nextDueAt = uint40(word >> 24);
        s.pausedAt = uint40(word >> 64);
        s.pausedByOperator = (word >> 104) & 1 == 1;
    }

    /// @dev Packs and stores the state in one write; see {_loadState} for the layout.
    function _storeState(
        Status status,
        uint16 periodsCharged,
        uint40 nextDueAt,
        uint40 pausedAt,
        bool pausedByOperator
    ) private {
        _packedState =
            uint256(status) |
            (uint256(periodsCharged) << 8) |
            (uint256(nextDueAt) << 24) |
            (uint256(pausedAt) << 64) |
            (pausedByOperator ? 1 << 104 : 0);
    }
}
