// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

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
}
