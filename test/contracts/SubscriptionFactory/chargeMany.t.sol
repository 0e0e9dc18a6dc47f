// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {SubscriptionFactory} from "../../../contracts/SubscriptionFactory.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {HookedPayer} from "../../../contracts/test-tokens/HookedPayer.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {Vm, vm} from "../base/Vm.sol";

/// @notice Stands in for a subscription in a batch and records the gas its `charge()` call was given.
contract GasRecorder {
    /// @notice `gasleft()` when `charge()` last began.
    uint256 public received;

    /// @notice Records the gas it was given and answers as a charged subscription does.
    function charge() external returns (uint256 periodIndex, uint256 nextDueAt) {
        received = gasleft();
        return (1, 0);
    }
}

/// @notice Calls `charge()` on a subscription with a given gas limit and reverts with the outcome, so that the
///         charge is undone and can be tried again with another limit (every account and slot cold each time, since
///         the suite runs each call as a transaction of its own).
contract ChargeGasProbe {
    /// @notice Whether the charge succeeded with the gas it was given.
    error Outcome(bool charged);

    /// @notice Tries `subscription.charge()` with exactly `gasLimit` and reverts with {Outcome}.
    function tryCharge(address subscription, uint256 gasLimit) external {
        (bool ok, bytes memory answer) = subscription.call{gas: gasLimit}(abi.encodeCall(Subscription.charge, ()));
        revert Outcome(ok && answer.length == 64);
    }
}

contract ChargeManyTest is SubscriptionTestBase {
    /// @dev Gas a batch transaction of the tests below needs besides its charges (the intrinsic 21,000, calldata,
    ///      the loop, the batch event), generously.
    uint256 private constant BATCH_OVERHEAD = 60_000;

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

    function test_chargeMany_chargesTheOthers_whenAPayerHookBurnsAllItsGas() public {
        HookedPayer hooked = _hookedPayer(HookedPayer.Hook.Accept);
        address[] memory batch = new address[](4);
        batch[0] = address(_activateHooked(hooked));
        for (uint256 i = 1; i < batch.length; ++i) batch[i] = address(_activeSubscription());
        hooked.setHook(HookedPayer.Hook.BurnAllGas);
        vm.warp(T0 + MONTH);
        uint256 payeeBefore = token.balanceOf(payee);

        bool[] memory charged = factory.chargeMany{gas: 3 * 60_000 + factory.CHARGE_GAS() * 2 + BATCH_OVERHEAD}(batch);

        vm.assertFalse(charged[0], "the burning payer: not charged");
        for (uint256 i = 1; i < batch.length; ++i) vm.assertTrue(charged[i], "the others: charged");
        vm.assertEq(token.balanceOf(payee) - payeeBefore, 3 * uint256(AMOUNT), "three periods paid");
        vm.assertEq(Subscription(batch[0]).state().periodsCharged, 1, "the burning payer's subscription did not move");
    }

    function test_chargeMany_spendsAtMostOneChargeBudget_onAPayerHookThatBurnsAllItsGas() public {
        HookedPayer hooked = _hookedPayer(HookedPayer.Hook.Accept);
        Subscription burning = _activateHooked(hooked);
        address[] memory healthy = new address[](3);
        address[] memory mixed = new address[](4);
        for (uint256 i; i < healthy.length; ++i) healthy[i] = address(_activeSubscription());
        mixed[0] = address(burning);
        for (uint256 i = 1; i < mixed.length; ++i) mixed[i] = address(_activeSubscription());
        hooked.setHook(HookedPayer.Hook.BurnAllGas);
        vm.warp(T0 + MONTH);

        factory.chargeMany(healthy);
        uint256 healthyGas = vm.snapshotGasLastCall("charge-gas", "batch: three healthy subscriptions");
        factory.chargeMany(mixed);
        uint256 mixedGas = vm.snapshotGasLastCall(
            "charge-gas",
            "batch: three healthy and one whose payer hook burns all its gas"
        );

        // the burning charge costs its whole budget, plus reaching its subscription and one more word of calldata
        uint256 extra = mixedGas - healthyGas;
        vm.assertGe(extra, factory.CHARGE_GAS(), "the hook burned its budget");
        vm.assertLe(extra, factory.CHARGE_GAS() + 3_000, "and not one unit of anyone else's gas");
    }

    function test_chargeMany_chargesTheOthers_whenAPayerHookRefusesTheTransfer() public {
        HookedPayer hooked = _hookedPayer(HookedPayer.Hook.Accept);
        address[] memory batch = new address[](3);
        batch[0] = address(_activeSubscription());
        batch[1] = address(_activateHooked(hooked));
        batch[2] = address(_activeSubscription());
        hooked.setHook(HookedPayer.Hook.Refuse);
        vm.warp(T0 + MONTH);

        bool[] memory charged = factory.chargeMany(batch);

        vm.assertTrue(charged[0], "before it: charged");
        vm.assertFalse(charged[1], "the refusing payer: not charged");
        vm.assertTrue(charged[2], "after it: charged");
    }

    function test_chargeMany_reverts_whenTheGasLeftCannotGiveTheNextChargeItsBudget() public {
        address[] memory batch = new address[](3);
        for (uint256 i; i < batch.length; ++i) batch[i] = address(_activeSubscription());
        vm.warp(T0 + MONTH);
        uint256 needed = factory.CHARGE_GAS() + (factory.CHARGE_GAS() + 62) / 63 + 2_700;

        // enough for the first charge's check and, after it, too little for the second's
        try factory.chargeMany{gas: needed + 20_000}(batch) {
            revert("the batch should have reverted");
        } catch (bytes memory data) {
            vm.assertEq(
                bytes32(bytes4(data)),
                bytes32(SubscriptionFactory.InsufficientGasForCharge.selector),
                "InsufficientGasForCharge"
            );
            (uint256 index, uint256 gasLeft, uint256 gasNeeded) = abi.decode(
                _withoutSelector(data),
                (uint256, uint256, uint256)
            );
            vm.assertEq(index, 1, "at the second charge");
            vm.assertEq(gasNeeded, needed, "the budget, what the call keeps back, and reaching the subscription");
            vm.assertTrue(gasLeft < gasNeeded, "less was left");
        }
        vm.assertEq(Subscription(batch[0]).state().periodsCharged, 1, "the first charge was undone with the batch");
    }

    function testFuzz_chargeMany_givesEveryChargeItsWholeBudget_orReverts(uint256 gasLimit) public {
        uint256 budget = factory.CHARGE_GAS();
        gasLimit = _bound(gasLimit, budget, 3 * budget + BATCH_OVERHEAD);
        GasRecorder[] memory recorders = new GasRecorder[](3);
        address[] memory batch = new address[](3);
        for (uint256 i; i < batch.length; ++i) {
            recorders[i] = new GasRecorder();
            batch[i] = address(recorders[i]);
        }

        try factory.chargeMany{gas: gasLimit}(batch) returns (bool[] memory charged) {
            for (uint256 i; i < batch.length; ++i) {
                vm.assertTrue(charged[i], "answered as charged");
                // what the call was given, less the few instructions before `gasleft()` in the recorder
                vm.assertLe(recorders[i].received(), budget, "never more than the budget");
                vm.assertGe(recorders[i].received() + 200, budget, "the whole budget");
            }
        } catch (bytes memory data) {
            vm.assertEq(
                bytes32(bytes4(data)),
                bytes32(SubscriptionFactory.InsufficientGasForCharge.selector),
                "a batch short of gas reverts, saying so"
            );
        }
    }

    function testFuzz_chargeMany_chargesEveryDueSubscription_orReverts_whateverTheGasLimit(uint256 gasLimit) public {
        address[] memory batch = new address[](4);
        for (uint256 i; i < batch.length; ++i) batch[i] = address(_activate(_terms(address(proxiedRegulated))));
        vm.warp(T0 + MONTH);
        gasLimit = _bound(gasLimit, 30_000, 4 * factory.CHARGE_GAS() + BATCH_OVERHEAD);

        try factory.chargeMany{gas: gasLimit}(batch) returns (bool[] memory charged) {
            for (uint256 i; i < batch.length; ++i) vm.assertTrue(charged[i], "every due subscription charged");
        } catch {
            for (uint256 i; i < batch.length; ++i) {
                vm.assertEq(Subscription(batch[i]).state().periodsCharged, 1, "or none, the batch reverted");
            }
        }
    }

    function test_chargeMany_budgetIsMoreThanThreeTimesTheCostliestCharge_ofEveryTokenShape() public {
        ChargeGasProbe probe = new ChargeGasProbe();
        uint256 costliest;
        address[6] memory tokens = [
            address(token),
            address(usdt),
            address(permitToken),
            address(proxiedPermit),
            address(proxiedRegulated),
            address(hookToken)
        ];
        string[6] memory names = [
            "plain ERC-20",
            "Tether-like",
            "EIP-2612 permit",
            "proxy in front of the permit token",
            "proxy in front of the pausable, blacklisting token",
            "hook token, payer contract accepting"
        ];
        for (uint256 i; i < tokens.length; ++i) {
            (Subscription later, Subscription first) = _dueSubscriptions(tokens[i]);
            uint256 laterGas = _leastGasToCharge(probe, later);
            uint256 firstGas = _leastGasToCharge(probe, first);
            vm.snapshotValue("charge-gas", string.concat(names[i], ": a later charge"), laterGas);
            vm.snapshotValue(
                "charge-gas",
                string.concat(names[i], ": first charge after a trial, new payee"),
                firstGas
            );
            if (firstGas > costliest) costliest = firstGas;
            if (laterGas > costliest) costliest = laterGas;
        }
        vm.assertGe(factory.CHARGE_GAS(), 3 * costliest, "a budget of more than three times the costliest charge");
    }

    /// @dev Two subscriptions in `tokenAddress`, due now: one whose next charge is a later one, to a payee that holds
    ///      the token, and one whose trial ends now, so its next charge is its first (measured) one, to a payee that
    ///      never held the token. In the hook token the payer is a contract whose hook lets the transfer go.
    function _dueSubscriptions(address tokenAddress) private returns (Subscription later, Subscription first) {
        // the clock as the chain has it: the optimizer may reuse one `block.timestamp` across a test's warps
        uint256 now_ = vm.getBlockTimestamp();
        Terms memory laterTerms = _terms(tokenAddress);
        laterTerms.startAt = uint40(now_);
        laterTerms.activateBy = uint40(now_);
        Terms memory firstTerms = _terms(tokenAddress);
        firstTerms.payee = address(uint160(0xF1257) + firstTerms.salt);
        firstTerms.startAt = uint40(now_ + MONTH);
        firstTerms.activateBy = uint40(now_);
        if (tokenAddress == address(hookToken)) {
            HookedPayer hooked = _hookedPayer(HookedPayer.Hook.Accept);
            laterTerms.payer = address(hooked);
            firstTerms.payer = address(hooked);
            hooked.approve(hookToken, factory.predict(laterTerms), 2 * uint256(AMOUNT));
            hooked.approve(hookToken, factory.predict(firstTerms), 2 * uint256(AMOUNT));
            later = Subscription(factory.activate(laterTerms));
            first = Subscription(factory.activate(firstTerms));
        } else {
            later = _activate(laterTerms);
            first = _activate(firstTerms);
        }
        vm.warp(now_ + MONTH);
    }

    /// @dev The least gas `subscription.charge()` succeeds with, found by bisection; the charge is undone each time.
    function _leastGasToCharge(ChargeGasProbe probe, Subscription subscription) private returns (uint256 high) {
        uint256 low = 5_000;
        high = 1_000_000;
        vm.assertTrue(_chargesWith(probe, subscription, high), "chargeable with plenty of gas");
        vm.assertFalse(_chargesWith(probe, subscription, low), "not chargeable with almost none");
        while (high - low > 1) {
            uint256 mid = (low + high) / 2;
            if (_chargesWith(probe, subscription, mid)) high = mid;
            else low = mid;
        }
    }

    /// @dev Whether `subscription.charge()` succeeds with `gasLimit`, leaving it uncharged either way.
    function _chargesWith(ChargeGasProbe probe, Subscription subscription, uint256 gasLimit) private returns (bool) {
        try probe.tryCharge(address(subscription), gasLimit) {
            revert("the probe always reverts");
        } catch (bytes memory data) {
            return abi.decode(_withoutSelector(data), (bool));
        }
    }

    /// @dev `data` without its first four bytes (an error's selector).
    function _withoutSelector(bytes memory data) private pure returns (bytes memory rest) {
        rest = new bytes(data.length - 4);
        for (uint256 i; i < rest.length; ++i) rest[i] = data[i + 4];
    }

    /// @dev The layout {SubscriptionFactory.SubscriptionsCharged} documents, written out independently.
    function _packed(address subscription, uint256 periodIndex, uint256 nextDueAt) private pure returns (uint256) {
        return uint256(uint160(subscription)) | (periodIndex << 160) | (nextDueAt << 176);
    }
}
