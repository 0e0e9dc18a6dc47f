// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

/// @notice Gas of every operation a payer, merchant or keeper pays for, as full transactions (the suite runs
///         isolated, one transaction per call), recorded in `snapshots/recur.json` by `npm run snapshot` and checked
///         by `npm test`: a change in gas fails the build until the snapshot is deliberately updated. The comparison
///         with a bare `transferFrom` comes from `npm run bench:gas`.
contract GasSnapshotTest is SubscriptionTestBase {
    function test_gas_activate() public {
        Terms memory t = _terms();
        _approve(t, MAX_PERIODS);
        factory.activate(t);
        vm.snapshotGasLastCall("recur", "activate (deploy + first charge)");
    }

    function test_gas_activateTrial() public {
        Terms memory t = _terms();
        t.startAt = uint40(T0 + 7 days);
        _approve(t, MAX_PERIODS);
        factory.activate(t);
        vm.snapshotGasLastCall("recur", "activate (trial, no charge)");
    }

    function test_gas_charge() public {
        Subscription sub = _activeSubscription();
        vm.warp(T0 + MONTH);
        sub.charge();
        vm.snapshotGasLastCall("recur", "charge");
    }

    function test_gas_chargeMany10() public {
        address[] memory batch = new address[](10);
        for (uint256 i; i < batch.length; ++i) batch[i] = address(_activeSubscription());
        vm.warp(T0 + MONTH);
        factory.chargeMany(batch);
        vm.snapshotGasLastCall("recur", "chargeMany (10 subscriptions)");
    }

    function test_gas_pauseUnpauseCancel() public {
        Subscription sub = _activeSubscription();
        vm.prank(payer);
        sub.pause();
        vm.snapshotGasLastCall("recur", "pause");
        vm.prank(payer);
        sub.unpause();
        vm.snapshotGasLastCall("recur", "unpause");
        vm.prank(payer);
        sub.cancel();
        vm.snapshotGasLastCall("recur", "cancel");
    }
}
