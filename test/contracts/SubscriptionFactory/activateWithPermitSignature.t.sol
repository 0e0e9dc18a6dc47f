// SPDX-License-Identifier: MIT
pragma solidity 0.8.34;

import {Subscription} from "../../../contracts/Subscription.sol";
import {SubscriptionFactory} from "../../../contracts/SubscriptionFactory.sol";
import {Terms} from "../../../contracts/Terms.sol";
import {SmartAccount} from "../../../contracts/test-accounts/SmartAccount.sol";
import {SmartAccountFactory} from "../../../contracts/test-accounts/SmartAccountFactory.sol";
import {SignaturePermitToken} from "../../../contracts/test-tokens/SignaturePermitToken.sol";
import {SubscriptionTestBase} from "../base/SubscriptionTestBase.sol";
import {vm} from "../base/Vm.sol";

contract ActivateWithPermitSignatureTest is SubscriptionTestBase {
    bytes32 private constant ERC6492_MAGIC = 0x6492649264926492649264926492649264926492649264926492649264926492;
    uint256 private constant OWNER_KEY = 0x0A7E5;
    uint256 private constant OTHER_KEY = 0xBAD;
    bytes32 private constant ACCOUNT_SALT = bytes32(uint256(7));

    SignaturePermitToken private usdc;
    SmartAccountFactory private accounts;
    address private owner = vm.addr(OWNER_KEY);

    function setUp() public override {
        super.setUp();
        usdc = new SignaturePermitToken();
        accounts = new SmartAccountFactory();
    }

    /// @dev Terms in the bytes-permit token for `payer_`, who holds plenty of it.
    function _termsFor(address payer_) private returns (Terms memory t) {
        t = _terms(address(usdc));
        t.payer = payer_;
        usdc.mint(payer_, 1_000 * uint256(AMOUNT));
    }

    /// @dev `key`'s 65-byte signature (r, s, v) over the permit of `value` from `holder` to `spender`.
    function _sign(
        uint256 key,
        address holder,
        address spender,
        uint256 value,
        uint256 deadline
    ) private view returns (bytes memory) {
        bytes32 structHash = keccak256(
            abi.encode(usdc.PERMIT_TYPEHASH(), holder, spender, value, usdc.nonces(holder), deadline)
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", usdc.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev `inner` wrapped as ERC-6492 for an account that `accounts.createAccount(owner, ACCOUNT_SALT)` deploys.
    function _wrap(bytes memory inner) private view returns (bytes memory) {
        bytes memory deployment = abi.encodeCall(SmartAccountFactory.createAccount, (owner, ACCOUNT_SALT));
        return abi.encodePacked(abi.encode(address(accounts), deployment, inner), ERC6492_MAGIC);
    }

    function test_activateWithPermitSignature_activates_forADeployedSmartAccount() public {
        address account = accounts.createAccount(owner, ACCOUNT_SALT);
        Terms memory t = _termsFor(account);
        address predicted = factory.predict(t);
        uint256 value = 12 * uint256(AMOUNT);
        bytes memory signature = _sign(OWNER_KEY, account, predicted, value, T0 + 1 hours);

        vm.prank(keeper);
        address subscription = factory.activateWithPermitSignature(t, value, T0 + 1 hours, signature);

        vm.assertEq(subscription, predicted, "deployed at the predicted address");
        vm.assertEq(usdc.balanceOf(payee), AMOUNT, "first period charged");
        vm.assertEq(usdc.allowance(account, subscription), value - AMOUNT, "permit less one period");
        vm.assertEq(usdc.nonces(account), 1, "the permit was used");
    }

    function test_activateWithPermitSignature_activates_forAnEoasSixtyFiveByteSignature() public {
        Terms memory t = _termsFor(payer);
        address predicted = factory.predict(t);
        bytes memory signature = _sign(PAYER_KEY, payer, predicted, AMOUNT, T0 + 1 hours);

        address subscription = factory.activateWithPermitSignature(t, AMOUNT, T0 + 1 hours, signature);

        vm.assertEq(subscription, predicted, "activated");
        vm.assertEq(usdc.balanceOf(payee), AMOUNT, "first period charged");
    }

    function test_activateWithPermitSignature_deploysTheAccount_forAnErc6492Signature() public {
        address account = accounts.getAddress(owner, ACCOUNT_SALT);
        Terms memory t = _termsFor(account);
        address predicted = factory.predict(t);
        uint256 value = 12 * uint256(AMOUNT);
        bytes memory signature = _wrap(_sign(OWNER_KEY, account, predicted, value, T0 + 1 hours));
        vm.assertEq(account.code.length, 0, "the account is not deployed yet");

        vm.prank(keeper);
        factory.activateWithPermitSignature(t, value, T0 + 1 hours, signature);

        vm.assertEq(SmartAccount(payable(account)).owner(), owner, "the account was deployed");
        vm.assertEq(usdc.balanceOf(payee), AMOUNT, "first period charged");
        vm.assertEq(usdc.allowance(account, predicted), value - AMOUNT, "permit less one period");
    }

    function test_activateWithPermitSignature_usesTheInnerSignature_whenTheWrappedAccountExists() public {
        address account = accounts.createAccount(owner, ACCOUNT_SALT);
        Terms memory t = _termsFor(account);
        address predicted = factory.predict(t);
        // the deployment step would create another account: it must not run for a payer that has code
        address other = accounts.getAddress(owner, bytes32(uint256(8)));
        bytes memory deployment = abi.encodeCall(SmartAccountFactory.createAccount, (owner, bytes32(uint256(8))));
        bytes memory inner = _sign(OWNER_KEY, account, predicted, AMOUNT, T0 + 1 hours);
        bytes memory signature = abi.encodePacked(abi.encode(address(accounts), deployment, inner), ERC6492_MAGIC);

        factory.activateWithPermitSignature(t, AMOUNT, T0 + 1 hours, signature);

        vm.assertEq(usdc.balanceOf(payee), AMOUNT, "first period charged");
        vm.assertEq(other.code.length, 0, "no deployment call for a payer with code");
    }

    function test_activateWithPermitSignature_reverts_whenAnotherKeySigned_forADeployedAccount() public {
        address account = accounts.createAccount(owner, ACCOUNT_SALT);
        Terms memory t = _termsFor(account);
        address predicted = factory.predict(t);
        bytes memory signature = _sign(OTHER_KEY, account, predicted, AMOUNT, T0 + 1 hours);

        vm.expectRevert(abi.encodeWithSelector(Subscription.InsufficientAllowance.selector, 0, AMOUNT));
        factory.activateWithPermitSignature(t, AMOUNT, T0 + 1 hours, signature);
        vm.assertEq(predicted.code.length, 0, "nothing deployed");
        vm.assertEq(usdc.nonces(account), 0, "no permit used");
    }

    function test_activateWithPermitSignature_reverts_andDeploysNothing_whenAnotherKeySignedAnErc6492Signature()
        public
    {
        address account = accounts.getAddress(owner, ACCOUNT_SALT);
        Terms memory t = _termsFor(account);
        address predicted = factory.predict(t);
        bytes memory signature = _wrap(_sign(OTHER_KEY, account, predicted, AMOUNT, T0 + 1 hours));

        vm.expectRevert(abi.encodeWithSelector(Subscription.InsufficientAllowance.selector, 0, AMOUNT));
        factory.activateWithPermitSignature(t, AMOUNT, T0 + 1 hours, signature);
        vm.assertEq(predicted.code.length, 0, "no subscription deployed");
        vm.assertEq(account.code.length, 0, "no account deployed");
    }

    function test_activateWithPermitSignature_cannotGrantMore_byReplayingAUsedSignature() public {
        address account = accounts.createAccount(owner, ACCOUNT_SALT);
        Terms memory t = _termsFor(account);
        address predicted = factory.predict(t);
        uint256 value = 2 * uint256(AMOUNT);
        bytes memory signature = _sign(OWNER_KEY, account, predicted, value, T0 + 1 hours);
        factory.activateWithPermitSignature(t, value, T0 + 1 hours, signature);

        // the same signature again, on the token: its nonce is spent
        vm.expectRevert(abi.encodeWithSelector(SignaturePermitToken.InvalidPermitSignature.selector, account));
        usdc.permit(account, predicted, value, T0 + 1 hours, signature);
        // and through the factory, for the same terms (already active) and for other terms of the same payer
        vm.expectRevert(abi.encodeWithSelector(SubscriptionFactory.AlreadyActivated.selector, predicted));
        factory.activateWithPermitSignature(t, value, T0 + 1 hours, signature);
        Terms memory other = _termsFor(account);
        vm.expectRevert(abi.encodeWithSelector(Subscription.InsufficientAllowance.selector, 0, AMOUNT));
        factory.activateWithPermitSignature(other, value, T0 + 1 hours, signature);

        vm.assertEq(usdc.allowance(account, predicted), value - AMOUNT, "the allowance the permit left, no more");
        vm.assertEq(usdc.nonces(account), 1, "one permit used");
    }

    function test_activateWithPermitSignature_succeeds_whenThePermitWasFrontRun() public {
        address account = accounts.createAccount(owner, ACCOUNT_SALT);
        Terms memory t = _termsFor(account);
        address predicted = factory.predict(t);
        bytes memory signature = _sign(OWNER_KEY, account, predicted, AMOUNT, T0 + 1 hours);
        vm.prank(stranger);
        usdc.permit(account, predicted, AMOUNT, T0 + 1 hours, signature);

        address subscription = factory.activateWithPermitSignature(t, AMOUNT, T0 + 1 hours, signature);

        vm.assertEq(subscription, predicted, "activated anyway");
        vm.assertEq(usdc.balanceOf(payee), AMOUNT, "first period charged");
    }

    /// @dev The deployment call's target and data are the submitter's: made by the factory itself, a call to a
    ///      live subscription's `initialize` would pass its factory check and charge the payer again.
    function test_activateWithPermitSignature_cannotRestartALiveSubscription_throughTheDeploymentCall() public {
        Subscription victim = _activate(_termsFor(payer));
        uint256 victimBalance = usdc.balanceOf(payer);
        // the attacker's own subscription, properly approved, from an account without code
        Terms memory t = _termsFor(stranger);
        address predicted = factory.predict(t);
        vm.prank(stranger);
        usdc.approve(predicted, AMOUNT);
        bytes memory deployment = abi.encodeCall(Subscription.initialize, ());
        bytes memory signature = abi.encodePacked(abi.encode(address(victim), deployment, hex""), ERC6492_MAGIC);

        vm.prank(stranger);
        factory.activateWithPermitSignature(t, AMOUNT, T0 + 1 hours, signature);

        vm.assertEq(usdc.balanceOf(payer), victimBalance, "the victim was not charged again");
        vm.assertEq(usdc.balanceOf(payee), 2 * uint256(AMOUNT), "one charge each");
        vm.assertEq(victim.state().periodsCharged, 1, "the victim's schedule is untouched");
    }

    function test_activateWithPermitSignature_reverts_forAnErc6492SignatureThatDoesNotDecode() public {
        Terms memory t = _termsFor(payer);
        _approve(t, 1);
        bytes memory signature = abi.encodePacked(hex"1234", ERC6492_MAGIC);

        vm.expectRevert();
        factory.activateWithPermitSignature(t, AMOUNT, T0 + 1 hours, signature);
    }

    function test_activateWithPermitSignature_reverts_afterActivateBy_withoutUsingThePermit() public {
        address account = accounts.getAddress(owner, ACCOUNT_SALT);
        Terms memory t = _termsFor(account);
        bytes memory signature = _wrap(_sign(OWNER_KEY, account, factory.predict(t), AMOUNT, T0 + 30 days));
        vm.warp(uint256(t.activateBy) + 1);

        vm.expectRevert(
            abi.encodeWithSelector(SubscriptionFactory.ActivationExpired.selector, t.activateBy, block.timestamp)
        );
        factory.activateWithPermitSignature(t, AMOUNT, T0 + 30 days, signature);
        vm.assertEq(account.code.length, 0, "no account deployed");
    }
}
