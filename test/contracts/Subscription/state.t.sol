// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

contract StateTest is SubscriptionTestBase {
    function test_state_followsTheLifecycle() public {
        Subscription sub = _activeSubscription();
        Subscription.State memory s = sub.state();
        vm.assertEq(uint8(s.status), uint8(Subscription.Status.Active), "active after activation");
        vm.assertEq(s.periodsCharged, 1, "first period charged");
        vm.assertEq(s.nextDueAt, T0 + MONTH, "next due");

        vm.warp(T0 + MONTH);
        sub.charge();
        s = sub.state();
        vm.assertEq(s.periodsCharged, 2, "second period charged");
        vm.assertEq(s.nextDueAt, T0 + 2 * MONTH, "next due advanced");

        vm.warp(T0 + MONTH + 1 days);
        vm.prank(operator);
        sub.pause();
        s = sub.state();
        vm.assertEq(uint8(s.status), uint8(Subscription.Status.Paused), "paused");
        vm.assertEq(s.pausedAt, T0 + MONTH + 1 days, "paused at");
        vm.assertTrue(s.pausedByOperator, "by the operator");
        vm.assertEq(s.periodsCharged, 2, "charges kept while paused");
        vm.assertEq(s.nextDueAt, T0 + 2 * MONTH, "next due kept while paused");
    }

    /// The keeper declares slot 0 in its charge transactions' access lists (server/worker/Keeper.ts).
    function test_state_isStoredInSlotZero() public {
        Subscription sub = _activeSubscription();
        bytes32 before = vm.load(address(sub), bytes32(0));
        vm.assertEq(uint8(uint256(before)), uint8(Subscription.Status.Active), "status in the low byte of slot 0");

        vm.warp(T0 + MONTH);
        sub.charge();

        bytes32 word = vm.load(address(sub), bytes32(0));
        vm.assertEq(uint16(uint256(word) >> 8), 2, "periods charged in slot 0");
        vm.assertEq(uint40(uint256(word) >> 24), T0 + 2 * MONTH, "next due time in slot 0");
    }
}
