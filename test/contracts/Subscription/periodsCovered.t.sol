// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

contract PeriodsCoveredTest is SubscriptionTestBase {
    function test_periodsCovered_isLimitedByTheAllowance() public {
        Terms memory t = _terms();
        _approve(t, 4);
        Subscription sub = Subscription(factory.activate(t));

        vm.assertEq(sub.periodsCovered(), 3, "four approved, one charged");
    }

    function test_periodsCovered_isLimitedByTheBalance() public {
        Subscription sub = _activeSubscription();
        uint256 balance = token.balanceOf(payer);
        vm.prank(payer);
        token.transfer(stranger, balance - 2 * uint256(AMOUNT) - 1);

        vm.assertEq(sub.periodsCovered(), 2, "balance covers two periods");
    }

    function test_periodsCovered_isLimitedByTheChargesLeft() public {
        Terms memory t = _terms();
        t.maxPeriods = 3;
        _approve(t, 100);
        Subscription sub = Subscription(factory.activate(t));

        vm.assertEq(sub.periodsCovered(), 2, "three allowed, one charged");
    }

    function test_periodsCovered_countsWhilePaused() public {
        Subscription sub = _activeSubscription();
        vm.prank(payer);
        sub.pause();

        vm.assertEq(sub.periodsCovered(), MAX_PERIODS - 1, "still covered");
    }

    function test_periodsCovered_isZero_onceCancelledOrFinished() public {
        Subscription cancelled = _activeSubscription();
        vm.prank(payer);
        cancelled.cancel();
        vm.assertEq(cancelled.periodsCovered(), 0, "cancelled");

        Terms memory once = _terms();
        once.maxPeriods = 1;
        vm.assertEq(_activate(once).periodsCovered(), 0, "finished");
    }

    function testFuzz_periodsCovered_isTheMinimumOfAllowanceBalanceAndChargesLeft(
        uint256 allowance,
        uint256 balance,
        uint16 maxPeriods
    ) public {
        Terms memory t = _terms();
        t.maxPeriods = uint16(_bound(maxPeriods, 1, 500));
        _approve(t, 1);
        Subscription sub = Subscription(factory.activate(t));
        allowance = _bound(allowance, 0, 1_000 * uint256(AMOUNT));
        balance = _bound(balance, 0, token.balanceOf(payer));
        _setAllowance(address(token), address(sub), allowance);
        uint256 excess = token.balanceOf(payer) - balance;
        vm.prank(payer);
        token.transfer(stranger, excess);

        uint256 expected = t.maxPeriods - 1;
        if (allowance / AMOUNT < expected) expected = allowance / AMOUNT;
        if (balance / AMOUNT < expected) expected = balance / AMOUNT;
        vm.assertEq(sub.periodsCovered(), expected, "minimum of the three");
    }
}
