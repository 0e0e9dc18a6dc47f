// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {SubscriptionFactory} from "../../../contracts/SubscriptionFactory.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {Vm, vm} from "../base/Vm.sol";

contract ChargeManyTest is SubscriptionTestBase {
    function test_chargeMany_chargesEveryDueSubscription() public {
        address[] memory batch = new address[](3);
        for (uint256 i; i < batch.length; ++i) batch[i] = address(_activeSubscription());
        uint256 payeeBefore = token.balanceOf(payee);
        vm.warp(T0 + MONTH);

        vm.prank(keeper);
        bool[] memory charged = factory.chargeMany(batch);

        for (uint256 i; i < batch.length; ++i) vm.assertTrue(charged[i], "charged");
        vm.assertEq(token.balanceOf(payee) - payeeBefore, 3 * uint256(AMOUNT), "three periods paid");
    }

    function test_chargeMany_reportsEachOutcome_inAMixedBatch() public {
        Subscription due = _activeSubscription();
        Subscription paused = _activeSubscription();
        Subscription cancelled = _activeSubscription();
        Subscription unfunded = _activeSubscription();
        Terms memory later = _terms();
        later.startAt = uint40(T0 + 2 * MONTH);
        Subscription trial = _activate(later);
        vm.startPrank(payer);
        paused.pause();
        cancelled.cancel();
        vm.stopPrank();
        _setAllowance(address(token), address(unfunded), 0);
        vm.warp(T0 + MONTH);

        address[] memory batch = new address[](7);
        batch[0] = address(due);
        batch[1] = address(paused);
        batch[2] = address(cancelled);
        batch[3] = address(unfunded);
        batch[4] = address(trial);
        batch[5] = stranger; // an account without code
        batch[6] = factory.predict(_terms()); // a draft never activated
        uint256 payeeBefore = token.balanceOf(payee);

        bool[] memory charged = factory.chargeMany(batch);

        vm.assertTrue(charged[0], "due: charged");
        vm.assertFalse(charged[1], "paused: not charged");
        vm.assertFalse(charged[2], "cancelled: not charged");
        vm.assertFalse(charged[3], "no allowance: not charged");
        vm.assertFalse(charged[4], "in trial: not charged");
        vm.assertFalse(charged[5], "no code: not charged");
        vm.assertFalse(charged[6], "not activated: not charged");
        vm.assertEq(token.balanceOf(payee) - payeeBefore, AMOUNT, "only the due subscription paid");
        vm.assertEq(due.state().periodsCharged, 2, "due subscription advanced");
    }

    function test_chargeMany_announcesTheChargedOnes_inOneEvent_insteadOfOneEach() public {
        Subscription first = _activeSubscription();
        Subscription paused = _activeSubscription();
        Subscription second = _activeSubscription();
        vm.prank(payer);
        paused.pause();
        vm.warp(T0 + MONTH);
        address[] memory batch = new address[](4);
        batch[0] = address(first);
        batch[1] = address(paused);
        batch[2] = stranger;
        batch[3] = address(second);
        uint256 nextDueAt = T0 + 2 * MONTH;
        uint256[] memory charges = new uint256[](2);
        charges[0] = _packed(address(first), 2, nextDueAt);
        charges[1] = _packed(address(second), 2, nextDueAt);

        vm.recordLogs();
        factory.chargeMany(batch);

        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 batchEvents;
        for (uint256 i; i < logs.length; ++i) {
            bytes32 topic = logs[i].topics[0];
            vm.assertFalse(topic == Subscription.SubscriptionCharged.selector, "no event per subscription");
            if (topic == SubscriptionFactory.SubscriptionsCharged.selector) {
                ++batchEvents;
                vm.assertEq(logs[i].emitter, address(factory), "emitted by the factory");
                vm.assertEq(
                    keccak256(logs[i].data),
                    keccak256(abi.encode(charges)),
                    "each charged subscription with its period and next due time, in order"
                );
            }
        }
        vm.assertEq(batchEvents, 1, "one event for the batch");
        vm.assertEq(first.state().periodsCharged, 2, "first charged");
        vm.assertEq(second.state().periodsCharged, 2, "second charged");
    }

    function test_chargeMany_emitsNothing_whenNothingIsCharged() public {
        address[] memory batch = new address[](2);
        batch[0] = address(_activeSubscription()); // not due yet
        batch[1] = stranger;

        vm.recordLogs();
        factory.chargeMany(batch);

        vm.assertEq(vm.getRecordedLogs().length, 0, "no logs");
    }

    function test_chargeMany_chargesASubscriptionListedTwice_once() public {
        address sub = address(_activeSubscription());
        address[] memory batch = new address[](2);
        batch[0] = sub;
        batch[1] = sub;
        vm.warp(T0 + MONTH);

        bool[] memory charged = factory.chargeMany(batch);

        vm.assertTrue(charged[0], "first: charged");
        vm.assertFalse(charged[1], "second: already charged this period");
    }

    function test_chargeMany_returnsNothing_forAnEmptyBatch() public {
        vm.assertEq(factory.chargeMany(new address[](0)).length, 0, "empty");
    }

    /// @dev The layout {SubscriptionFactory.SubscriptionsCharged} documents, written out independently.
    function _packed(address subscription, uint256 periodIndex, uint256 nextDueAt) private pure returns (uint256) {
        return uint256(uint160(subscription)) | (periodIndex << 160) | (nextDueAt << 176);
    }
}
