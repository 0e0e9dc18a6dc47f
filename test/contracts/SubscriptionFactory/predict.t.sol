// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {Subscription} from "../../../contracts/Subscription.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

contract PredictTest is SubscriptionTestBase {
    function _packed(Terms memory t) private pure returns (bytes memory) {
        return
            abi.encodePacked(
                t.token,
                t.payer,
                t.payee,
                t.operator,
                t.amount,
                t.period,
                t.startAt,
                t.maxPeriods,
                t.activateBy,
                t.salt
            );
    }

    function test_predict_returnsTheAddressActivateDeploysTo() public {
        Terms memory t = _terms();
        address predicted = _approve(t, 1);

        vm.assertEq(factory.activate(t), predicted, "same address");
        vm.assertTrue(predicted.code.length > 0, "deployed");
    }

    function testFuzz_predict_matchesOpenZeppelinClones(Terms memory t) public view {
        address expected = Clones.predictDeterministicAddressWithImmutableArgs(
            factory.IMPLEMENTATION(),
            _packed(t),
            bytes32(0),
            address(factory)
        );

        vm.assertEq(factory.predict(t), expected, "OpenZeppelin's clone-with-arguments address");
    }

    function testFuzz_predict_changesWithEveryTerm(uint256 field, uint256 seed) public {
        Terms memory t = _terms();
        Terms memory changed = _terms();
        changed.salt = t.salt;
        field = _bound(field, 0, 9);
        // flip one field to a different value
        if (field == 0) changed.token = address(uint160(t.token) ^ uint160(_bound(seed, 1, type(uint160).max)));
        if (field == 1) changed.payer = address(uint160(t.payer) ^ uint160(_bound(seed, 1, type(uint160).max)));
        if (field == 2) changed.payee = address(uint160(t.payee) ^ uint160(_bound(seed, 1, type(uint160).max)));
        if (field == 3) changed.operator = address(uint160(t.operator) ^ uint160(_bound(seed, 1, type(uint160).max)));
        if (field == 4) changed.amount = t.amount ^ uint128(_bound(seed, 1, type(uint128).max));
        if (field == 5) changed.period = t.period ^ uint32(_bound(seed, 1, type(uint32).max));
        if (field == 6) changed.startAt = t.startAt ^ uint40(_bound(seed, 1, type(uint40).max));
        if (field == 7) changed.maxPeriods = t.maxPeriods ^ uint16(_bound(seed, 1, type(uint16).max));
        if (field == 8) changed.activateBy = t.activateBy ^ uint40(_bound(seed, 1, type(uint40).max));
        if (field == 9) changed.salt = t.salt ^ uint32(_bound(seed, 1, type(uint32).max));

        vm.assertTrue(factory.predict(changed) != factory.predict(t), "a different term, a different address");
    }

    function testFuzz_predict_deploysAClone_whoseArgumentsAreThePackedTerms(uint128 amount, uint32 salt) public {
        Terms memory t = _terms();
        t.amount = uint128(_bound(amount, 1, 1_000 * AMOUNT));
        t.salt = salt;
        address subscription = _approve(t, 1);
        factory.activate(t);

        vm.assertEq(keccak256(Clones.fetchCloneArgs(subscription)), keccak256(_packed(t)), "clone args");
        vm.assertEq(keccak256(abi.encode(Subscription(subscription).terms())), keccak256(abi.encode(t)), "terms()");
    }
}
