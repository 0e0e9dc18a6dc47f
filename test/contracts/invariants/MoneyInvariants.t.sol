// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";
import {SubscriptionFactory} from "../../../contracts/SubscriptionFactory.sol";
import {StandardToken} from "../../../contracts/test-tokens/StandardToken.sol";

// The handler lives in the test file because the test runner only fuzzes contracts whose artifacts it has, and
// those are emitted for test files and `contracts/` only.

/// @notice Drives a few subscriptions through random sequences of charges, batches, pauses, unpauses, cancels,
///         allowance changes, late activations and time jumps, by every kind of caller, and records every
///         transfer and every rule broken, for the invariants to check.
contract SubscriptionHandler {
    SubscriptionFactory public factory;
    StandardToken public token;
    address public payer;
    address public payee;
    address public operator;
    address public stranger;

    Subscription[] public subscriptions;
    Terms public expiredDraft;

    /// @dev Charges this handler saw succeed, per subscription.
    mapping(Subscription subscription => uint256 count) public chargesSeen;
    /// @dev Sum of all charges this handler saw succeed, token base units.
    uint256 public totalCharged;
    /// @dev Rules observed broken (a charge that should have failed, or a schedule that moved wrongly).
    uint256 public violations;
    /// @dev What happened, for a failing run's report.
    string public lastViolation;

    constructor(
        SubscriptionFactory factory_,
        StandardToken token_,
        Subscription[] memory subscriptions_,
        Terms memory expiredDraft_,
        address operator_,
        address stranger_
    ) {
        factory = factory_;
        token = token_;
        subscriptions = subscriptions_;
        expiredDraft = expiredDraft_;
        payer = subscriptions_[0].terms().payer;
        payee = subscriptions_[0].terms().payee;
        operator = operator_;
        stranger = stranger_;
    }

    function subscriptionCount() external view returns (uint256) {
        return subscriptions.length;
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + (seconds_ % (70 days)));
    }

    function charge(uint256 which) external {
        Subscription sub = _pick(which);
        Subscription.State memory before = sub.state();
        uint256 payeeBefore = token.balanceOf(payee);
        vm.prank(stranger);
        try sub.charge() {
            _checkCharge(sub, before);
            if (token.balanceOf(payee) != payeeBefore + _amount(sub)) _violation("payee did not receive amount");
        } catch {}
    }

    function chargeMany(uint256 mask) external {
        uint256 n = subscriptions.length;
        address[] memory batch = new address[](n);
        Subscription.State[] memory before = new Subscription.State[](n);
        for (uint256 i; i < n; ++i) {
            batch[i] = address(subscriptions[i]);
            before[i] = subscriptions[i].state();
        }
        // sometimes list the last subscription twice instead of the first
        if (mask & 1 == 0) batch[0] = batch[n - 1];
        uint256 payeeBefore = token.balanceOf(payee);
        bool[] memory charged = factory.chargeMany(batch);
        uint256 expected;
        for (uint256 i; i < n; ++i) {
            if (!charged[i]) continue;
            Subscription sub = Subscription(batch[i]);
            _checkCharge(sub, before[_indexOf(sub)]);
            expected += _amount(sub);
        }
        if (token.balanceOf(payee) != payeeBefore + expected) _violation("batch moved other than it reported");
    }

    function pause(uint256 which, bool byOperator) external {
        vm.prank(byOperator ? operator : payer);
        try _pick(which).pause() {} catch {}
    }

    function unpause(uint256 which, bool byOperator) external {
        Subscription sub = _pick(which);
        Subscription.State memory before = sub.state();
        vm.prank(byOperator ? operator : payer);
        try sub.unpause() {
            if (byOperator && !before.pausedByOperator) _violation("operator lifted the payer's pause");
            if (sub.state().nextDueAt != before.nextDueAt + (block.timestamp - before.pausedAt)) {
                _violation("unpause did not shift the schedule by the paused time");
            }
        } catch {}
    }

    function cancel(uint256 which, uint256 who) external {
        address[3] memory allowed = [payer, payee, operator];
        vm.prank(allowed[who % 3]);
        try _pick(which).cancel() {} catch {}
    }

    function approve(uint256 which, uint256 periods) external {
        Subscription sub = _pick(which);
        vm.prank(payer);
        token.approve(address(sub), (periods % 20) * _amount(sub));
    }

    function strangerMeddles(uint256 which, uint256 action) external {
        Subscription sub = _pick(which);
        vm.startPrank(stranger);
        action %= 3;
        bool succeeded;
        if (action == 0) {
            try sub.pause() {
                succeeded = true;
            } catch {}
        } else if (action == 1) {
            try sub.unpause() {
                succeeded = true;
            } catch {}
        } else {
            try sub.cancel() {
                succeeded = true;
            } catch {}
        }
        vm.stopPrank();
        if (succeeded) _violation("a stranger changed a subscription");
    }

    function activateTooLate() external {
        Terms memory t = expiredDraft;
        if (block.timestamp <= t.activateBy) return;
        try factory.activate(t) {
            _violation("activated after activateBy");
        } catch {}
    }

    /// @dev Checks one successful charge against the state before it, and counts it.
    function _checkCharge(Subscription sub, Subscription.State memory before) private {
        Terms memory t = sub.terms();
        Subscription.State memory afterwards = sub.state();
        if (before.status != Subscription.Status.Active) _violation("charged while not active");
        if (block.timestamp < before.nextDueAt) _violation("charged before due");
        if (before.periodsCharged >= t.maxPeriods) _violation("charged past maxPeriods");
        if (afterwards.periodsCharged != before.periodsCharged + 1) _violation("charge count did not advance by one");
        if (afterwards.status == Subscription.Status.Active) {
            if (afterwards.nextDueAt <= block.timestamp) _violation("next due is not in the future");
            uint256 step = afterwards.nextDueAt - before.nextDueAt;
            if (step == 0 || step % t.period != 0) _violation("schedule left its anchor");
        }
        chargesSeen[sub] += 1;
        totalCharged += t.amount;
    }

    function _violation(string memory what) private {
        ++violations;
        lastViolation = what;
    }

    function _pick(uint256 which) private view returns (Subscription) {
        return subscriptions[which % subscriptions.length];
    }

    function _indexOf(Subscription sub) private view returns (uint256 i) {
        while (address(subscriptions[i]) != address(sub)) ++i;
    }

    function _amount(Subscription sub) private view returns (uint256) {
        return sub.terms().amount;
    }
}

/// @notice Stateful fuzzing of the money rules: whatever sequence of calls and time jumps happens, tokens only
///         move payer -> payee, exactly `amount` per charge, at most once per period, never before due, never
///         while paused, never after cancellation or `maxPeriods`, never for a draft past `activateBy`.
contract MoneyInvariantsTest is SubscriptionTestBase {
    SubscriptionHandler internal handler;
    uint256 internal payerStart;
    uint256 internal payeeStart;

    function setUp() public override {
        super.setUp();
        Subscription[] memory subs = new Subscription[](3);
        subs[0] = _activeSubscription();
        Terms memory trial = _terms();
        trial.startAt = uint40(T0 + 10 days);
        subs[1] = _activate(trial);
        Terms memory short = _terms();
        short.maxPeriods = 3;
        short.period = uint32(7 days);
        subs[2] = _activate(short);
        Terms memory draft = _terms();
        _approve(draft, MAX_PERIODS);

        handler = new SubscriptionHandler(factory, token, subs, draft, operator, stranger);
        payerStart = token.balanceOf(payer);
        payeeStart = token.balanceOf(payee);
    }

    /// @dev Only the handler is called by the fuzzer.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_noRuleWasBroken() public view {
        vm.assertEq(handler.violations(), 0, handler.lastViolation());
    }

    function invariant_tokensMoveOnlyFromPayerToPayee_exactlyAsCharged() public view {
        vm.assertEq(payerStart - token.balanceOf(payer), handler.totalCharged(), "payer paid exactly the charges");
        vm.assertEq(token.balanceOf(payee) - payeeStart, handler.totalCharged(), "payee got exactly the charges");
        vm.assertEq(token.balanceOf(stranger), 0, "nothing to the caller");
        vm.assertEq(token.balanceOf(address(handler)), 0, "nothing to the keeper");
        vm.assertEq(token.balanceOf(address(factory)), 0, "nothing to the factory");
        for (uint256 i; i < handler.subscriptionCount(); ++i) {
            vm.assertEq(token.balanceOf(address(handler.subscriptions(i))), 0, "nothing held by a subscription");
        }
    }

    function invariant_chargesMatchTheRecord_andNeverExceedMaxPeriods() public view {
        for (uint256 i; i < handler.subscriptionCount(); ++i) {
            Subscription sub = handler.subscriptions(i);
            Subscription.State memory s = sub.state();
            uint256 activationCharge = sub.terms().startAt > T0 ? 0 : 1;
            vm.assertEq(s.periodsCharged, handler.chargesSeen(sub) + activationCharge, "every charge accounted for");
            vm.assertLe(s.periodsCharged, sub.terms().maxPeriods, "at most maxPeriods");
            vm.assertEq(
                s.status == Subscription.Status.Finished,
                s.periodsCharged == sub.terms().maxPeriods,
                "finished exactly at maxPeriods"
            );
        }
    }

    function invariant_anExpiredDraftIsNeverDeployed() public view {
        (, , , , , , , , uint40 activateBy, ) = handler.expiredDraft();
        if (block.timestamp > activateBy) {
            (
                address t,
                address p,
                address q,
                address o,
                uint128 a,
                uint32 pe,
                uint40 s,
                uint16 m,
                ,
                uint32 sa
            ) = handler.expiredDraft();
            Terms memory draft = Terms(t, p, q, o, a, pe, s, m, activateBy, sa);
            vm.assertEq(factory.predict(draft).code.length, 0, "never deployed");
        }
    }
}
