// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

contract TermsTest is SubscriptionTestBase {
    function testFuzz_terms_returnsTheTermsTheSubscriptionWasActivatedWith(
        address operatorAccount,
        uint128 amount,
        uint32 period,
        uint40 startAt,
        uint16 maxPeriods,
        uint32 salt
    ) public {
        Terms memory t = _terms();
        t.operator = operatorAccount;
        t.amount = uint128(_bound(amount, 1, 1_000 * uint256(AMOUNT)));
        t.period = uint32(_bound(period, 1, type(uint32).max));
        // a future start makes a trial, which checks one period of funds and charges nothing
        t.startAt = uint40(_bound(startAt, T0 + 1, type(uint40).max));
        t.maxPeriods = uint16(_bound(maxPeriods, 1, type(uint16).max));
        t.salt = salt;
        _approve(t, 1);
        Subscription sub = Subscription(factory.activate(t));

        Terms memory read = sub.terms();

        vm.assertEq(read.token, t.token, "token");
        vm.assertEq(read.payer, t.payer, "payer");
        vm.assertEq(read.payee, t.payee, "payee");
        vm.assertEq(read.operator, t.operator, "operator");
        vm.assertEq(read.amount, t.amount, "amount");
        vm.assertEq(read.period, t.period, "period");
        vm.assertEq(read.startAt, t.startAt, "startAt");
        vm.assertEq(read.maxPeriods, t.maxPeriods, "maxPeriods");
        vm.assertEq(read.activateBy, t.activateBy, "activateBy");
        vm.assertEq(read.salt, t.salt, "salt");
    }
}
